using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Tests.Testing;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>A client and a server session joined by an in-memory connection.</summary>
internal sealed class SessionPair : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public SessionPair(YamuxOptions? options = null, YamuxOptions? serverOptions = null, long pipeThreshold = 1024 * 1024)
    {
        var pipes = new DuplexPipePair(pipeThreshold);
        Client = new YamuxSession(pipes.A, YamuxRole.Client, options ?? NoKeepAlive, NullLogger.Instance);
        Server = new YamuxSession(pipes.B, YamuxRole.Server, serverOptions ?? options ?? NoKeepAlive, NullLogger.Instance);
        Client.Start();
        Server.Start();
    }

    public static YamuxOptions NoKeepAlive { get; } = new() { KeepAliveInterval = TimeSpan.Zero };

    public YamuxSession Client { get; }

    public YamuxSession Server { get; }

    /// <summary>Opens a stream on the client, writes <paramref name="hello"/> and accepts it on the server.</summary>
    public async Task<(YamuxStream Client, YamuxStream Server)> OpenAsync(byte[]? hello = null)
    {
        YamuxStream client = await Client.OpenStreamAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        if (hello is not null)
        {
            await client.Output.WriteAsync(hello);
        }
        YamuxStream? server = await Server.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.NotNull(server);
        return (client, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>The far end of a session, driven frame by frame by the test.</summary>
internal sealed class RawPeer
{
    private readonly IDuplexPipe _pipe;

    public RawPeer(IDuplexPipe pipe) => _pipe = pipe;

    public static (YamuxSession Session, RawPeer Peer) Create(YamuxRole role, YamuxOptions? options = null)
    {
        var pipes = new DuplexPipePair(1024 * 1024);
        var session = new YamuxSession(pipes.A, role, options ?? SessionPair.NoKeepAlive, NullLogger.Instance);
        session.Start();
        return (session, new RawPeer(pipes.B));
    }

    public async Task SendAsync(FrameType type, FrameFlags flags, uint streamId, uint length, byte[]? payload = null)
    {
        FrameCodec.Write(_pipe.Output, new FrameHeader(type, flags, streamId, length));
        if (payload is not null)
        {
            await _pipe.Output.WriteAsync(payload);
        }
        await _pipe.Output.FlushAsync();
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _pipe.Output.WriteAsync(bytes);
    }

    public void CloseOutput() => _pipe.Output.Complete();

    /// <summary>Next frame from the session (data payload included), or null at end of stream.</summary>
    public async Task<(FrameHeader Header, byte[] Payload)?> ReadFrameAsync(bool skipPings = true)
    {
        while (true)
        {
            var frame = await ReadOneAsync().WaitAsync(SessionPair.Timeout);
            if (frame is null || !skipPings || frame.Value.Header.Type != FrameType.Ping)
            {
                return frame;
            }
        }
    }

    /// <summary>Reads frames until one matches.</summary>
    public async Task<FrameHeader> ReadUntilAsync(Func<FrameHeader, bool> match)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(skipPings: false);
            Assert.True(frame is not null, "the session closed before the expected frame");
            if (match(frame.Value.Header))
            {
                return frame.Value.Header;
            }
        }
    }

    private async Task<(FrameHeader Header, byte[] Payload)?> ReadOneAsync()
    {
        PipeReader input = _pipe.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameCodec.TryReadHeader(buffer, out FrameHeader header))
            {
                long length = header.Type == FrameType.Data ? header.Length : 0;
                if (buffer.Length >= FrameHeader.Size + length)
                {
                    byte[] payload = buffer.Slice(FrameHeader.Size, length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(FrameHeader.Size + length));
                    return (header, payload);
                }
            }
            if (result.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                return null;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}

internal static class PipeData
{
    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Reads until the peer's FIN.</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                received.Write(segment.Span);
            }
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>Writes in chunks of <paramref name="chunk"/> bytes, then FIN.</summary>
    public static async Task WriteAndCloseAsync(PipeWriter writer, byte[] data, int chunk = 64 * 1024)
    {
        for (int offset = 0; offset < data.Length; offset += chunk)
        {
            FlushResult flush = await writer.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)));
            Assert.False(flush.IsCompleted);
        }
        await writer.CompleteAsync();
    }
}
