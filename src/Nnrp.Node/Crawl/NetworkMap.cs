using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Crawl;

namespace Nnrp.Node.Crawl;

/// <summary>What a crawl found: every node visited and every shard seen.</summary>
/// <param name="Crawl">the walk itself (completeness, counts, time).</param>
/// <param name="Nodes">one per peer visited, in the order visits ended.</param>
/// <param name="Shards">each shard some status named, by depth then index; (0, 0) alone when none did.</param>
/// <param name="MinProviders">the replication bound the shards were checked against.</param>
public sealed record NetworkMap(KadCrawlResult Crawl, IReadOnlyList<NodeReport> Nodes, IReadOnlyList<ShardReport> Shards, int MinProviders)
{
    /// <summary>No bootstrap peer answered our dial: nothing was mapped.</summary>
    public bool NoBootstrapReached => Crawl.BootstrapReached == 0;
}

/// <summary>One peer: what the walk learnt, its transports, and its <c>/nnrp/1.0</c> status (§11.7).</summary>
/// <param name="Peer">what the walk learnt (reachability, identify, addresses).</param>
/// <param name="Transports">distinct transports of its addresses (<see cref="TransportNames"/>).</param>
/// <param name="Status">its status answer; null when it does not serve /nnrp/1.0 or did not answer.</param>
/// <param name="StatusError">why a peer that lists /nnrp/1.0 gave no status.</param>
public sealed record NodeReport(CrawledPeer Peer, IReadOnlyList<string> Transports, StatusResponse? Status, string? StatusError)
{
    /// <summary>Identify lists <c>/nnrp/1.0</c>.</summary>
    public bool ServesNnrp => Peer.Protocols.Contains(Nnrp.Protocol.Requests.NnrpProtocol.Id, StringComparer.Ordinal);
}

/// <summary>One shard's providers as the DHT holds them.</summary>
/// <param name="Bits">depth b of shard (b, i) (NNRP.md §8).</param>
/// <param name="Index">index i.</param>
/// <param name="Cid">its DHT key as text (<c>bafkrei…</c>).</param>
/// <param name="Providers">every provider the k closest DHT servers named.</param>
/// <param name="ReachableVerified">providers our dial reached whose status lists a shard containing this one (§8.4 "Verification").</param>
/// <param name="UnderReplicated">fewer than <see cref="NetworkMap.MinProviders"/> reachable verified providers.</param>
public sealed record ShardReport(int Bits, uint Index, string Cid, IReadOnlyList<PeerId> Providers, int ReachableVerified, bool UnderReplicated);
