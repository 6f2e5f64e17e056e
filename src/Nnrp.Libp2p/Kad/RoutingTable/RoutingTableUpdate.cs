namespace Nnrp.Libp2p.Kad.RoutingTable;

public enum RoutingTableUpdateKind
{
    /// <summary>The peer took a free place in its bucket.</summary>
    Added,

    /// <summary>The peer was already in the table; it moved to the most-recently-seen end.</summary>
    Refreshed,

    /// <summary>
    /// The bucket is full; the peer waits in the replacement cache and <see cref="RoutingTableUpdate.Probe"/>
    /// (the least-recently-seen, stale member) must be pinged: alive → <c>TryAdd</c> it again,
    /// silent → <c>Remove</c> it, which promotes the newest replacement.
    /// </summary>
    PendingProbe,

    /// <summary>The bucket is full of recently seen peers; the peer waits in the replacement cache.</summary>
    Cached,

    /// <summary>Our own key: never stored.</summary>
    Rejected,
}

public readonly record struct RoutingTableUpdate(RoutingTableUpdateKind Kind, KadPeer? Probe = null);
