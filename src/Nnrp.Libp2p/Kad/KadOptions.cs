using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad.Query;
using Nnrp.Libp2p.Kad.RoutingTable;

namespace Nnrp.Libp2p.Kad;

/// <summary>Whether this node answers DHT requests (issue 3 §5).</summary>
public enum KadMode
{
    /// <summary>Queries only and does not register the protocol, so identify does not advertise it (wallets, nodes behind NAT).</summary>
    Client,

    /// <summary>Serves requests and advertises the protocol; for nodes with a publicly dialable address.</summary>
    Server,
}

public sealed class KadOptions
{
    /// <summary>NNRP's own DHT (DESIGN.md "Protocol ids"): the libp2p Kad wire format under its own id.</summary>
    public const string DefaultProtocolId = "/nnrp/kad/1.0";

    /// <summary>Issue 3 §4: provider records live 48 h (the spec suggests 24 h; IPFS uses 48 h).</summary>
    public static readonly TimeSpan DefaultProviderTtl = TimeSpan.FromHours(48);

    /// <summary>Issue 3 §4: our own records are republished every 22 h, well inside the TTL.</summary>
    public static readonly TimeSpan DefaultRepublishInterval = TimeSpan.FromHours(22);

    public string ProtocolId { get; init; } = DefaultProtocolId;

    public KadMode Mode { get; init; } = KadMode.Server;

    public RoutingTableOptions RoutingTable { get; init; } = new();

    public LookupOptions Lookup { get; init; } = new();

    public TimeSpan ProviderTtl { get; init; } = DefaultProviderTtl;

    public TimeSpan RepublishInterval { get; init; } = DefaultRepublishInterval;

    /// <summary>kad-dht/README.md: "a node may prune expired advertisements only periodically, e.g. every hour".</summary>
    public TimeSpan ExpirySweepInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Which provider keys are stored and which providers are verified (handed out first, never
    /// evicted for a newcomer). The node supplies NNRP's (shard keys only); a bare DHT accepts
    /// every key. Per-key, per-peer and total bounds are the store's <see cref="Providers.ProviderQuotas"/>.
    /// </summary>
    public Providers.IProviderRecordPolicy ProviderPolicy { get; init; } = Providers.AnyKeyProviderPolicy.Instance;

    /// <summary>Providers returned in one GET_PROVIDERS answer.</summary>
    public int MaxProvidersPerResponse { get; init; } = 20;

    /// <summary>Largest Kad message accepted on a stream.</summary>
    public int MaxMessageSize { get; init; } = KadCodec.MaxMessageSize;

    /// <summary>Requests one peer may make per second, all streams together (token bucket refill rate).</summary>
    public double RequestsPerPeerPerSecond { get; init; } = 20;

    /// <summary>Requests one peer may make in a burst (token bucket size).</summary>
    public int RequestBurstPerPeer { get; init; } = 60;

    /// <summary>How long an inbound stream may sit idle between requests.</summary>
    public TimeSpan InboundIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Keep loopback and private addresses in peer and provider records. Off for the public
    /// network; on for a LAN or a loopback testnet.
    /// </summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>Peers dialed at start (each with a <c>/p2p/</c> component).</summary>
    public IReadOnlyList<Multiaddr> BootstrapPeers { get; init; } = [];

    /// <summary>
    /// Where the routing table is saved (bootstrap-file format) and read back at start, so a
    /// restarted node does not need the bootstrap peers. Null: not persisted.
    /// </summary>
    public string? RoutingTablePath { get; init; }

    /// <summary>How often the routing table is saved and buckets are checked for refresh.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Below this many peers the node bootstraps again (issue 3 §6 "re-bootstraps when the table runs low").</summary>
    public int LowPeerThreshold { get; init; } = 4;
}
