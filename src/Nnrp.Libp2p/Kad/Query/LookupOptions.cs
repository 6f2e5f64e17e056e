namespace Nnrp.Libp2p.Kad.Query;

public sealed class LookupOptions
{
    /// <summary>kad-dht/README.md "Peer routing": "as many peers … as the α concurrency factor allows"; α = 3.</summary>
    public const int DefaultAlpha = 3;

    /// <summary>Requests in flight at once (α).</summary>
    public int Alpha { get; init; } = DefaultAlpha;

    /// <summary>How many closest peers the lookup must hear from before it ends (k).</summary>
    public int ResultCount { get; init; } = RoutingTable.RoutingTableOptions.DefaultBucketSize;

    /// <summary>
    /// A bound on requests per lookup, so a network feeding us endless fake "closer" peers
    /// cannot keep a lookup alive (rust-libp2p bounds by time; we bound by count too).
    /// </summary>
    public int MaxQueries { get; init; } = 100;

    /// <summary>How long one request may take before it counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a whole lookup may take.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
