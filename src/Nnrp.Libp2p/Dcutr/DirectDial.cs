using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>
/// One attempt's direct dials (DCUtR.md step 5, "Simultaneous Connect"): every address at once,
/// and whichever direct connection to the peer exists first wins — one of ours, or the peer's
/// own dial arriving inbound. Our other dials are not cancelled: the peer may already hold the
/// far end of one and be using it, and each side cancelling "its" loser could close both
/// connections. A surplus connection stays; the host's trimmer sees to it.
/// </summary>
internal static class DirectDial
{
    /// <summary>The first direct connection to <paramref name="peer"/> within <paramref name="timeout"/>, or null.</summary>
    public static async Task<Connection?> RaceAsync(
        Libp2pHost host, PeerId peer, IReadOnlyList<Multiaddr> addresses, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (FindDirect(host, peer) is { } existing)
        {
            return existing;
        }
        var arrived = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnOpened(object? sender, ConnectionEventArgs e)
        {
            if (!e.Connection.IsLimited && e.Connection.RemotePeer.Equals(peer))
            {
                arrived.TrySetResult(e.Connection);
            }
        }
        host.ConnectionOpened += OnOpened;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var pending = new List<Task<Connection>>(StartDials(host, peer, addresses, timeout, cancellationToken))
            {
                // Until the deadline, even when all our dials failed: the peer's dial may still arrive.
                arrived.Task.WaitAsync(deadline.Token),
            };
            if (FindDirect(host, peer) is { } raced)
            {
                return raced;
            }
            while (pending.Count > 0)
            {
                Task<Connection> done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (done.IsCompletedSuccessfully)
                {
                    return done.Result;
                }
            }
            return FindDirect(host, peer);
        }
        finally
        {
            host.ConnectionOpened -= OnOpened;
        }
    }

    /// <summary>Our dials, each bounded by <paramref name="timeout"/>; they run to their end whoever wins.</summary>
    private static Task<Connection>[] StartDials(Libp2pHost host, PeerId peer, IReadOnlyList<Multiaddr> addresses, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (addresses.Count == 0)
        {
            return [];
        }
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Task<Connection>[] dials = addresses.Select(a => host.DialDirectAsync(a, peer, deadline.Token)).ToArray();
        // Failures of dials nobody waits for any more are expected: observe them, then free the deadline.
        _ = Task.WhenAll(dials).ContinueWith(
            static (all, d) =>
            {
                _ = all.Exception;
                ((CancellationTokenSource)d!).Dispose();
            },
            deadline, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return dials;
    }

    /// <summary>An open connection to <paramref name="peer"/> that does not go through a relay.</summary>
    public static Connection? FindDirect(Libp2pHost host, PeerId peer) =>
        host.FindConnection(peer) is { IsLimited: false, IsClosed: false } direct ? direct : null;
}
