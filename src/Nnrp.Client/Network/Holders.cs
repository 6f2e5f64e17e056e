namespace Nnrp.Client.Network;

/// <summary>Where a candidate node came from (NNRP.md §8.4).</summary>
public enum HolderSource
{
    /// <summary>Named by the caller (<see cref="WalletClientOptions.Nodes"/>); used as given, never searched or verified.</summary>
    Named,

    /// <summary>A relay hint of the recipient's URI (§10.3).</summary>
    RelayHint,

    /// <summary>A DHT provider of one of the tag's shard keys (§8).</summary>
    Dht,

    /// <summary>A configured bootstrap peer.</summary>
    Bootstrap,
}

/// <summary>A node to publish to or fetch from.</summary>
/// <param name="Node">Its address.</param>
/// <param name="Source">How it was found.</param>
/// <param name="Depth">For <see cref="HolderSource.Dht"/>: the depth b of the shard key (b, i) whose lookup named it.</param>
/// <param name="Verified">Its status (§11.7) answered and lists a shard covering the tag; false for named nodes and for hints or bootstrap peers that did not answer (tried last).</param>
public sealed record Holder(NodeAddress Node, HolderSource Source, int? Depth, bool Verified);

/// <summary>The outcome of a search for the holders of a tag's shard (§8.4).</summary>
/// <param name="Holders">Candidates in the order they are tried: verified holders (relay hints, then DHT providers deepest first, then bootstrap peers), then unverified hints and bootstrap peers.</param>
/// <param name="StartDepth">The depth the DHT walk started at (null when the DHT was not asked).</param>
/// <param name="DepthsLookedUp">Every shard depth looked up in the DHT, in order.</param>
/// <param name="TimedOut">The walk hit <see cref="HolderSearch.Timeout"/> before it had enough holders or ran out of depths.</param>
public sealed record HolderSearchResult(IReadOnlyList<Holder> Holders, int? StartDepth, IReadOnlyList<int> DepthsLookedUp, bool TimedOut)
{
    /// <summary>The candidates' addresses, in order.</summary>
    public IReadOnlyList<NodeAddress> Nodes => [.. Holders.Select(static h => h.Node)];

    /// <summary>Candidates whose status covers the tag.</summary>
    public int VerifiedCount => Holders.Count(static h => h.Verified);
}
