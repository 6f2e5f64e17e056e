using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad.Crawl;
using Nnrp.Node.Sync;

namespace Nnrp.Node.Crawl;

/// <summary>What <see cref="NetworkCrawler"/> starts from and how far it may go.</summary>
public sealed record NetworkCrawlOptions
{
    /// <summary>Distinct shards whose providers are looked up (status answers could name any number).</summary>
    public const int MaxShards = 256;

    /// <summary>Multiaddrs with <c>/p2p/</c> the walk starts from.</summary>
    public required IReadOnlyList<Multiaddr> BootstrapPeers { get; init; }

    /// <summary>The walk's bounds (concurrency, timeouts, peer cap, private addresses).</summary>
    public KadCrawlOptions Kad { get; init; } = new();

    /// <summary>
    /// A shard with fewer reachable verified providers is flagged: the replication rule of
    /// NNRP.md §11.8.6 (≥ 3 verified providers per shard, <see cref="SyncOptions.SafeProviders"/>).
    /// </summary>
    public int MinProviders { get; init; } = new SyncOptions().SafeProviders;
}
