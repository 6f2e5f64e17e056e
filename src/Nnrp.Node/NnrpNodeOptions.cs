using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Providers;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;

namespace Nnrp.Node;

/// <summary>
/// Everything an NNRP node is built from (<see cref="NnrpNode.StartAsync"/>), with the
/// defaults of a node that stores everything: RocksDB under <see cref="DataDirectory"/>, the
/// DHT in server mode providing shard (0, 0), gossip and sync on.
/// </summary>
public sealed record NnrpNodeOptions
{
    /// <summary>
    /// Holds the node key (<c>node.key</c>), the store (<c>store/</c>), the provider records
    /// (<c>kad/</c>) and the saved routing table (<c>kad-peers.txt</c>); created if missing.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>The node's key; null: <c>&lt;DataDirectory&gt;/node.key</c>, created on the first start.</summary>
    public KeyPair? Identity { get; init; }

    /// <summary>Listen and announce addresses, connection limits, transports. Default: loopback, a free port.</summary>
    public HostOptions Host { get; init; } = new() { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] };

    /// <summary>
    /// NNRP.md §14.1: a LAN or loopback testnet, where many nodes share an address. Private
    /// addresses are then spared the per-address connection caps (unless <see cref="Host"/>
    /// names its own exempt networks) and the gossip IP colocation penalty, and kept in DHT records.
    /// </summary>
    public bool PrivateNetwork { get; init; }

    /// <summary>Opens the notification store; default: RocksDB in <c>&lt;DataDirectory&gt;/store</c> (<see cref="OpenRocksDbStore"/>).</summary>
    public Func<NnrpNodeOptions, ILoggerFactory, INotificationStore> OpenStore { get; init; } = OpenRocksDbStore;

    public StoreOptions Store { get; init; } = new();

    public IngressOptions Ingress { get; init; } = new();

    public NnrpServiceOptions Protocol { get; init; } = new();

    /// <summary>Bytes of fetch answers in flight, per client and in total, over both doors (NNRP.md §11.5).</summary>
    public FetchBudgetOptions FetchBudget { get; init; } = new();

    /// <summary>How often expired notifications are deleted.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>GossipSub on the notification topic (NNRP.md §14.3); null: <c>NotificationGossip.DefaultOptions(PrivateNetwork)</c>.</summary>
    public GossipSubOptions? Gossip { get; init; }

    public NodeDhtOptions Dht { get; init; } = new();

    /// <summary>NNRP.md §14.5: the AutoNAT v2 server and client.</summary>
    public NodeAutoNatOptions AutoNat { get; init; } = new();

    /// <summary>NNRP.md §11.8: both sides of sync (the responder's limits and the initiator's schedule).</summary>
    public SyncOptions Sync { get; init; } = new();

    /// <summary>
    /// Sync on connect and every <see cref="SyncOptions.Interval"/> once the DHT is up. Off, the
    /// node still answers sync requests and <see cref="NnrpNode.Sync"/> syncs when asked.
    /// </summary>
    public bool SyncOnSchedule { get; init; } = true;

    /// <summary>What the sync responder reconciles; null: the store's <c>by_time</c> index (<see cref="StoreSyncSet"/>).</summary>
    public Func<INotificationStore, ISyncSet>? SyncSet { get; init; }

    /// <summary>NNRP.md §14.4: relay for others (opt-in) and reserve on relays (behind NAT).</summary>
    public NodeRelayOptions Relay { get; init; } = new();

    /// <summary>NNRP.md §8: the shards the node holds (auto: from <see cref="StoreOptions.MaxBytes"/> and the network's volume).</summary>
    public Shards.ShardOptions Shards { get; init; } = new();

    /// <summary>
    /// NNRP.md §14.6: DCUtR hole punching, on by default (a relayed connection costs the relay and
    /// carries no sync or gossip); null turns it off. Private-address dialing follows
    /// <see cref="PrivateNetwork"/>.
    /// </summary>
    public Nnrp.Libp2p.Dcutr.DcutrOptions? HolePunch { get; init; } = new();

    /// <summary>NNRP.md §14.2: how providers of shard keys are verified.</summary>
    public ProviderVerifierOptions Verifier { get; init; } = new();

    /// <summary>The default store: RocksDB in <c>&lt;DataDirectory&gt;/store</c>.</summary>
    /// <exception cref="StoreUnavailableException">the store cannot be opened.</exception>
    public static INotificationStore OpenRocksDbStore(NnrpNodeOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return RocksDbNotificationStore.Open(Path.Combine(options.DataDirectory, "store"), options.Store,
            loggerFactory.CreateLogger<RocksDbNotificationStore>());
    }
}

/// <summary>The node's Kad-DHT (NNRP.md §14.2).</summary>
public sealed record NodeDhtOptions
{
    /// <summary>Server answers DHT queries; Client only asks.</summary>
    public KadMode Mode { get; init; } = KadMode.Server;

    /// <summary>
    /// NNRP.md §14.5: server mode only while AutoNAT finds the node <see cref="Reachability.Public"/>
    /// (client mode before that), instead of <see cref="Mode"/>. Ignored on a private network,
    /// where <see cref="Mode"/> holds.
    /// </summary>
    public bool FollowReachability { get; init; }

    /// <summary>
    /// Peers to bootstrap from. An entry without <c>/p2p/</c> (e.g. <c>/dns4/node1/tcp/4001</c>
    /// in a compose file) is dialed at start and trusted as whoever answers; the node's own id is skipped.
    /// </summary>
    public IReadOnlyList<Multiaddr> BootstrapPeers { get; init; } = [];

    /// <summary>How long one dial of a bootstrap entry without <c>/p2p/</c> may take.</summary>
    public TimeSpan BootstrapDialTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Opens the provider-record store; default: RocksDB in <c>&lt;DataDirectory&gt;/kad</c>.</summary>
    public Func<NnrpNodeOptions, IProviderStore> OpenProviderStore { get; init; } = OpenRocksDbProviderStore;

    /// <summary>Save the routing table to <c>&lt;DataDirectory&gt;/kad-peers.txt</c> on stop and read it on start.</summary>
    public bool SaveRoutingTable { get; init; } = true;

    public static IProviderStore OpenRocksDbProviderStore(NnrpNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RocksDbProviderStore.Open(Path.Combine(options.DataDirectory, "kad"));
    }
}

/// <summary>The node's AutoNAT v2 (NNRP.md §14.5); private-address dialing follows <see cref="NnrpNodeOptions.PrivateNetwork"/>.</summary>
public sealed record NodeAutoNatOptions
{
    /// <summary>Answer other nodes' dial requests (dial them back, within <see cref="Server"/>'s limits).</summary>
    public bool Serve { get; init; } = true;

    public AutoNatServerOptions Server { get; init; } = new();

    public AutoNatClientOptions Client { get; init; } = new();
}
