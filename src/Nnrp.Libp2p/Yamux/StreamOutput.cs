using System.IO.Pipelines;

namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// The application's view of a stream's outbound pipe. Every flush hands the stream to the
/// session writer loop; the pipe's pause threshold makes FlushAsync wait while the peer's
/// window keeps the writer loop from draining it.
/// </summary>
internal sealed class StreamOutput(YamuxStream stream, PipeWriter inner) : PipeWriter
{
    private int _completed;

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        stream.ThrowIfOutputFailed();
        // FlushAsync commits the bytes before it may wait, so the writer loop sees them.
        ValueTask<FlushResult> flush = inner.FlushAsync(cancellationToken);
        stream.ScheduleWrite();
        return flush;
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    /// <summary>Without an error: FIN after the buffered data. With one: the stream is reset.</summary>
    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }
        if (exception is not null)
        {
            stream.Reset();
        }
        inner.Complete(exception);
        stream.ScheduleWrite();
    }
}
