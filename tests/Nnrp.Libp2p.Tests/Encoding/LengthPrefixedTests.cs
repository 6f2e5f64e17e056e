using System.Buffers;
using System.IO.Pipelines;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Tests.Encoding;

/// <summary>
/// The copy-out path of <see cref="LengthPrefixed.ReadAsync"/>: a message over
/// <see cref="LengthPrefixed.CopyOutThreshold"/> arriving in chunks is consumed as it arrives
/// and read whole, and one cut short is truncated. (That a yamux stream needs this — its
/// window opens only for consumed bytes — is shown end to end by Nnrp.Node.Tests
/// FetchStreamingTests, whose 500-item fetch failed before.)
/// </summary>
public class LengthPrefixedTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_message_larger_than_the_unconsumed_limit_is_read_whole()
    {
        byte[] message = new byte[1024 * 1024 + 17];
        new Random(5).NextBytes(message);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024, useSynchronizationContext: false));

        Task writing = WriteInChunksAsync(pipe.Writer, message, complete: false);
        (byte[]? read, bool completed) = await LengthPrefixed.ReadAsync(pipe.Reader, 2 * 1024 * 1024, static seq => seq.ToArray(), CancellationToken.None).AsTask().WaitAsync(Limit);
        await writing.WaitAsync(Limit);

        Assert.False(completed);
        Assert.Equal(message, read);
    }

    [Fact]
    public async Task A_small_message_arriving_in_pieces_waits_for_the_rest_in_the_pipe()
    {
        byte[] message = new byte[1000];
        new Random(7).NextBytes(message);
        byte[] prefix = new byte[10];
        int n = Varint.Write(prefix, (ulong)message.Length);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        await pipe.Writer.WriteAsync(prefix.AsMemory(0, n));
        await pipe.Writer.WriteAsync(message.AsMemory(0, 300));

        // The first read sees a third of the message; the reader must go back to the pipe
        // for the rest (a multistream-select or Noise message split across TCP reads).
        Task<(byte[]? Value, bool Completed)> reading = LengthPrefixed.ReadAsync(pipe.Reader, 4096, static seq => seq.ToArray(), CancellationToken.None).AsTask();
        await pipe.Writer.WriteAsync(message.AsMemory(300));
        (byte[]? read, bool completed) = await reading.WaitAsync(Limit);

        Assert.False(completed);
        Assert.Equal(message, read);
    }

    [Fact]
    public async Task A_large_message_cut_short_is_truncated()
    {
        byte[] message = new byte[300 * 1024];
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        byte[] prefix = new byte[10];
        int n = Varint.Write(prefix, (ulong)message.Length + 1);
        await pipe.Writer.WriteAsync(prefix.AsMemory(0, n));
        await WriteInChunksAsync(pipe.Writer, message, complete: true);

        await Assert.ThrowsAsync<TruncatedMessageException>(() => LengthPrefixed.ReadAsync(pipe.Reader, 2 * 1024 * 1024, static seq => seq.Length, CancellationToken.None).AsTask());
    }

    private static async Task WriteInChunksAsync(PipeWriter writer, byte[] message, bool complete)
    {
        await Task.Yield();
        if (!complete)
        {
            Varint.Write(writer, (ulong)message.Length);
        }
        for (int offset = 0; offset < message.Length; offset += 16 * 1024)
        {
            await writer.WriteAsync(message.AsMemory(offset, Math.Min(16 * 1024, message.Length - offset)));
        }
        if (complete)
        {
            writer.Complete();
        }
    }
}
