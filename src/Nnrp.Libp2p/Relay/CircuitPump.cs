using System.Buffers;
using System.IO.Pipelines;
using Nnrp.Libp2p.Host;

namespace Nnrp.Libp2p.Relay;

/// <summary>Why a relayed connection ended at the relay.</summary>
public enum CircuitEnd
{
    /// <summary>Both ends closed their side.</summary>
    Closed,

    /// <summary>One direction carried more than <c>Limit.data</c> bytes: both streams were reset.</summary>
    DataLimit,

    /// <summary>The circuit outlived <c>Limit.duration</c>: both streams were reset.</summary>
    DurationLimit,

    /// <summary>An end reset its stream or its connection failed.</summary>
    Reset,
}

/// <summary>
/// Joins the hop stream of the source and the stop stream of the destination into one
/// relayed connection (circuit-v2.md "Connection Initiation"), copying each direction from one
/// pipe to the other. Memory per circuit is bounded by the yamux windows of the two streams:
/// a slow reader stops the copy, which stops crediting the writer. "If more data than the
/// limit … is transferred … or the relayed connection has been open for longer than
/// duration, the relay should reset the stream to the source and the stream to the destination."
/// </summary>
internal static class CircuitPump
{
    public static async Task<CircuitEnd> RunAsync(Libp2pStream source, Libp2pStream destination, CircuitLimit limit, CancellationToken cancellationToken)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit.Duration is { } duration)
        {
            lifetime.CancelAfter(duration);
        }
        Task<CircuitEnd> forward = CopyAsync(source.Input, destination.Output, limit.Data, lifetime.Token);
        Task<CircuitEnd> backward = CopyAsync(destination.Input, source.Output, limit.Data, lifetime.Token);
        CircuitEnd first = await await Task.WhenAny(forward, backward);
        CircuitEnd end = first == CircuitEnd.Closed ? await (forward.IsCompleted ? backward : forward) : first;
        if (end != CircuitEnd.Closed)
        {
            source.Reset();
            destination.Reset();
            await lifetime.CancelAsync();
            await Task.WhenAll(forward, backward);
        }
        if (end == CircuitEnd.Reset && lifetime.IsCancellationRequested && !cancellationToken.IsCancellationRequested && limit.Duration is not null)
        {
            end = CircuitEnd.DurationLimit;
        }
        return end;
    }

    private static async Task<CircuitEnd> CopyAsync(PipeReader input, PipeWriter output, long? dataLimit, CancellationToken cancellationToken)
    {
        long copied = 0;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cancellationToken);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (dataLimit is { } cap && copied + buffer.Length > cap)
                {
                    input.AdvanceTo(buffer.End);
                    return CircuitEnd.DataLimit;
                }
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    output.Write(segment.Span);
                }
                copied += buffer.Length;
                input.AdvanceTo(buffer.End);
                if (!buffer.IsEmpty)
                {
                    FlushResult flush = await output.FlushAsync(cancellationToken);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        return CircuitEnd.Reset;
                    }
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    // The sender closed its side: pass the half-close on (FIN).
                    await output.CompleteAsync();
                    return CircuitEnd.Closed;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return CircuitEnd.Reset;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            return CircuitEnd.Reset;
        }
    }
}
