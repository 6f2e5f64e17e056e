using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// The application's view of a stream's inbound pipe. It counts the bytes the application
/// consumes in <see cref="AdvanceTo(SequencePosition, SequencePosition)"/>, because those bytes,
/// and only those, are returned to the peer as window credit.
/// </summary>
internal sealed class StreamInput(YamuxStream stream, PipeReader inner) : PipeReader
{
    private ReadOnlySequence<byte> _lastBuffer;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ValueTask<ReadResult> read = inner.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            ReadResult result = read.Result;
            _lastBuffer = result.Buffer;
            return new ValueTask<ReadResult>(result);
        }
        return Remember(read);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (inner.TryRead(out result))
        {
            _lastBuffer = result.Buffer;
            return true;
        }
        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        long count = _lastBuffer.Slice(_lastBuffer.Start, consumed).Length;
        _lastBuffer = default;
        inner.AdvanceTo(consumed, examined);
        if (count > 0)
        {
            stream.OnConsumed(count);
        }
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => stream.OnInputCompleted(inner, exception);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> Remember(ValueTask<ReadResult> read)
    {
        ReadResult result = await read;
        _lastBuffer = result.Buffer;
        return result;
    }
}
