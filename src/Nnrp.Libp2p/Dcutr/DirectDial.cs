using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>
/// One attempt's direct dials (DCUtR.md step 5, "Simultaneous Connect"): the peer's addresses in
/// its order, the next one <see cref="Stagger"/> after the last (or at once when the last
/// failed), and whichever direct connection to the peer exists first wins — one of ours, or the
/// peer's own dial arriving inbound. Dials already started are not cancelled: the peer may
/// already hold the far end of one and be using it, and each side cancelling "its" loser could
/// close both connections. A surplus connection stays; the host's trimmer sees to it.
/// </summary>
internal static class DirectDial
{
    /// <summary>
    /// Between starting dials to a peer's addresses (happy eyeballs, RFC 8305: 250 ms): several
    /// of its addresses usually reach one listener, and a connection per address is waste.
    /// </summary>
    public static readonly TimeSpan Stagger = TimeSpan.FromMilliseconds(250);

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
        // Our dials keep this deadline after we return; it is freed once the last of them ends.
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var dials = new List<Task<Connection>>();
        try
        {
            // Until the deadline, even when all our dials failed: the peer's dial may still arrive.
            Task<Connection> peerDial = arrived.Task.WaitAsync(deadline.Token);
            var pending = new List<Task> { peerDial };
            int next = 0;
            Task? staggered = null;
            while (true)
            {
                if (staggered is null && next < addresses.Count)
                {
                    Task<Connection> dial = host.DialDirectAsync(addresses[next++], peer, deadline.Token);
                    dials.Add(dial);
                    pending.Add(dial);
                    if (next < addresses.Count)
                    {
                        staggered = Task.Delay(Stagger, deadline.Token);
                        pending.Add(staggered);
                    }
                }
                if (FindDirect(host, peer) is { } raced)
                {
                    return raced;
                }
                Task done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (done == staggered)
                {
                    staggered = null;
                    if (done.IsCanceled)
                    {
                        return FindDirect(host, peer);
                    }
                    continue;
                }
                if (done is Task<Connection> { IsCompletedSuccessfully: true } won)
                {
                    return won.Result;
                }
                if (done == peerDial)
                {
                    return FindDirect(host, peer);
                }
                // One of our dials failed: the next address need not wait its turn.
                if (staggered is not null)
                {
                    pending.Remove(staggered);
                    staggered = null;
                }
            }
        }
        finally
        {
            host.ConnectionOpened -= OnOpened;
            // Failures of dials nobody waits for any more are expected: observe them, then free the deadline.
            _ = Task.WhenAll(dials).ContinueWith(
                static (all, d) =>
                {
                    _ = all.Exception;
                    ((CancellationTokenSource)d!).Dispose();
                },
                deadline, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>An open connection to <paramref name="peer"/> that does not go through a relay.</summary>
    public static Connection? FindDirect(Libp2pHost host, PeerId peer) =>
        host.FindConnection(peer) is { IsLimited: false, IsClosed: false } direct ? direct : null;
}
