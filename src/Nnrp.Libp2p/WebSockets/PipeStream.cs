using System.Buffers;
using System.IO.Pipelines;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// A TCP connection's pipes as the <see cref="Stream"/> that <see cref="System.Net.Security.SslStream"/>
/// runs over for <c>/tls/ws</c>. Async only: SslStream is only ever driven asynchronously here.
/// </summary>
internal sealed class PipeStream(IDuplexPipe pipe) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadResult result = await pipe.Input.ReadAsync(cancellationToken);
        ReadOnlySequence<byte> data = result.Buffer;
        if (data.IsEmpty)
        {
            pipe.Input.AdvanceTo(data.End);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("read cancelled");
            }
            return 0; // completed: end of stream
        }
        int n = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, n).CopyTo(buffer.Span);
        pipe.Input.AdvanceTo(data.GetPosition(n));
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        FlushResult result = await pipe.Output.WriteAsync(buffer, cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("the connection no longer accepts data");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
