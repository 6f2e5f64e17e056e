using System.IO.Pipelines;
using System.Threading.Channels;

namespace Nnrp.Libp2p.Yamux;

public sealed partial class YamuxSession
{
    /// <summary>Bytes written to the transport before the writer loop flushes mid-batch.</summary>
    internal const int FlushThreshold = 256 * 1024;

    /// <summary>Bytes one stream may write per turn before the others get theirs (round robin).</summary>
    internal const int StreamTurnBudget = 256 * 1024;

    /// <summary>
    /// The only writer of the transport. Takes control frames and streams with pending output
    /// off the queue in order, writes frames straight into the transport pipe (one copy of the
    /// data), and flushes once per batch or every <see cref="FlushThreshold"/> bytes, so the
    /// transport's own backpressure slows every stream at once.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        PipeWriter output = _transport.Output;
        ChannelReader<WriteItem> queue = _writeQueue.Reader;
        try
        {
            while (await queue.WaitToReadAsync(_abort.Token))
            {
                long unflushed = 0;
                while (queue.TryRead(out WriteItem item))
                {
                    if (item.Stream is { } stream)
                    {
                        Volatile.Write(ref stream.Scheduled, 0);
                        if (_error is not null)
                        {
                            continue; // the session failed: only Go Away still goes out
                        }
                        unflushed += stream.WritePending(output, _options.MaxFramePayload, StreamTurnBudget, out bool more);
                        if (more)
                        {
                            Schedule(stream);
                        }
                    }
                    else
                    {
                        Interlocked.Decrement(ref _queuedControl);
                        FrameCodec.Write(output, item.Control);
                        unflushed += FrameHeader.Size;
                    }
                    if (unflushed >= FlushThreshold)
                    {
                        await FlushTransportAsync(output);
                        unflushed = 0;
                    }
                }
                if (unflushed > 0)
                {
                    await FlushTransportAsync(output);
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // whatever broke, the session must end and report it in Completion
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TransportFailed(_logger, ex);
            Terminate(ex, goAway: null, abortNow: true);
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    private async ValueTask FlushTransportAsync(PipeWriter output)
    {
        FlushResult result = await output.FlushAsync(_abort.Token);
        if (result.IsCompleted)
        {
            throw new YamuxSessionClosedException("the transport stopped accepting data");
        }
    }
}
