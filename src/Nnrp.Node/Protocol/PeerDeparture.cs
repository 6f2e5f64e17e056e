using System.IO.Pipelines;
using Nnrp.Libp2p.Host;

namespace Nnrp.Node.Protocol;

/// <summary>
/// Stops a request's work when its peer goes (NNRP.md §11.8.7): the stream is reset, or the
/// connection closes. A peer half-closes its side after the request (§11.1), so end of input
/// alone is not departure; a reset or a closed connection is.
/// </summary>
internal static class PeerDeparture
{
    /// <summary>Cancels <paramref name="work"/> when the peer of <paramref name="stream"/> goes; returns when <paramref name="stop"/> fires.</summary>
    public static async Task WatchAsync(Libp2pStream stream, CancellationTokenSource work, CancellationToken stop)
    {
        try
        {
            PipeReader input = stream.Input;
            while (true)
            {
                ReadResult read = await input.ReadAsync(stop);
                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
            await stream.Connection.Closed.WaitAsync(stop);
            await work.CancelAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The request finished first.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // A reset stream fails its input: the peer will never read the answer.
            await work.CancelAsync();
        }
    }
}
