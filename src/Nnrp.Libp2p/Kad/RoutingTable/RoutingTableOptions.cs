namespace Nnrp.Libp2p.Kad.RoutingTable;

public sealed class RoutingTableOptions
{
    /// <summary>kad-dht/README.md "Replication parameter (k)": "The recommended value for k is 20."</summary>
    public const int DefaultBucketSize = 20;

    /// <summary>Peers per bucket (k).</summary>
    public int BucketSize { get; init; } = DefaultBucketSize;

    /// <summary>
    /// Candidates remembered per full bucket (Kademlia §4.1 "replacement cache"); the newest
    /// takes the place of an evicted peer without another lookup.
    /// </summary>
    public int ReplacementCacheSize { get; init; } = 8;

    /// <summary>
    /// A full bucket's least-recently-seen peer is only pinged (and evicted if silent) when it
    /// has not been heard from for this long; fresher peers simply keep their place
    /// (Kademlia's preference for long-lived peers).
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed requests in a row after which a peer is evicted.</summary>
    public int MaxConsecutiveFailures { get; init; } = 2;

    /// <summary>
    /// Buckets untouched by a lookup for this long get a refresh lookup (go-libp2p-kad-dht
    /// RoutingTableRefreshPeriod is 10 minutes).
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Refresh stops at this prefix length: a random key sharing more bits with us almost never
    /// has peers (go-libp2p-kad-dht caps refreshes at 15 too).
    /// </summary>
    public int MaxRefreshPrefixLength { get; init; } = 15;
}
