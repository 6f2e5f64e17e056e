using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Providers;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node;

/// <summary>
/// The node's one composition root: <see cref="StartAsync"/> builds and owns every part —
/// identity, store, the ingress gate, the libp2p host (identify, ping, perf, /nnrp/1.0),
/// GossipSub with the notification topic, the provider verifier, the Kad-DHT providing shard
/// (0, 0), sync and the TTL sweeper — and <see cref="DisposeAsync"/> stops them in reverse, the
/// store last. Doors (HTTP, metrics) attach to <see cref="Ingress"/> and <see cref="Store"/>.
/// </summary>
public sealed partial class NnrpNode : IAsyncDisposable
{
    private readonly NnrpNodeOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _dhtReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KeyPair? _ownedIdentity;
    private INotificationStore? _store;
    private Libp2pHost? _host;
    private IngressGate? _ingress;
    private NnrpService? _service;
    private ExpirySweeper? _sweeper;
    private GossipSubService? _gossip;
    private ProviderVerifier? _verifier;
    private IProviderStore? _providers;
    private KadService? _kad;
    private SyncService? _sync;
    private Task _bootstrap = Task.CompletedTask;
    private int _disposed;
    private readonly NnrpServiceOptions _protocol;
    private readonly TimeProvider _time;
    private ReceiptSigner _receipts = null!;
    private NnrpClient _statusClient = null!;

    private NnrpNode(NnrpNodeOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<NnrpNode>();
        _protocol = options.Protocol;
        _time = time;
        // One set of rate rules for every door (NNRP.md §11.4, §11.8.7, §12).
        RateRules = new RateRules(time);
        RateRules.Set(OriginKind.Peer, new RateRule(options.Protocol.PeerRequestsPerSecond, options.Protocol.PeerBurst));
        RateRules.Set(OriginKind.SyncPeer, new RateRule(options.Sync.PeerRequestsPerSecond, options.Sync.PeerBurst));
        FetchBudget = new FetchBudget(options.FetchBudget);
    }

    public NnrpNodeOptions Options => _options;

    public INotificationStore Store => _store!;

    public IngressGate Ingress => _ingress!;

    public NnrpService Service => _service!;

    public ExpirySweeper Sweeper => _sweeper!;

    /// <summary>The libp2p host, listening once <see cref="StartAsync"/> returned.</summary>
    public Libp2pHost Host => _host!;

    public PeerId PeerId => Host.PeerId;

    /// <summary>The addresses peers can dial, each with <c>/p2p/&lt;peer id&gt;</c>.</summary>
    public IReadOnlyList<Multiaddr> Addresses => Host.GetAdvertisedAddresses(withPeerId: true);

    public IdentifyService Identify { get; private set; } = null!;

    public PingService Ping { get; private set; } = null!;

    public GossipSubService Gossip => _gossip!;

    /// <summary>The node on the notification topics (NNRP.md §14.3): which it joined, following its shards.</summary>
    public NotificationGossip NotificationTopics { get; private set; } = null!;

    public ProviderVerifier Verifier => _verifier!;

    public KadService Kad => _kad!;

    public SyncService Sync => _sync!;

    /// <summary>Answers sync requests arriving on /nnrp/1.0 (NNRP.md §11.8).</summary>
    public SyncServer SyncServer { get; private set; } = null!;

    /// <summary>Readiness: the store is open (until <see cref="DisposeAsync"/> closes it).</summary>
    public bool IsStoreOpen => _store is not null && Volatile.Read(ref _disposed) == 0;

    /// <summary>Completes once the DHT has bootstrapped and the node provides shard (0, 0); faults if that failed.</summary>
    public Task DhtReady => _dhtReady.Task;

    /// <summary>Readiness: the DHT has bootstrapped.</summary>
    public bool IsDhtBootstrapped => _dhtReady.Task.IsCompletedSuccessfully;

    /// <summary>
    /// Builds the node and starts it: opens the store, starts the host listening with every
    /// protocol registered, dials bootstrap entries that name no peer id, and returns; the DHT
    /// bootstrap, the provide of shard (0, 0) and then scheduled sync go on in the background
    /// (<see cref="DhtReady"/>). On failure everything started so far is stopped again.
    /// </summary>
    /// <exception cref="StoreUnavailableException">the store cannot be opened.</exception>
    /// <exception cref="IOException">the host cannot listen on an address.</exception>
    public static async Task<NnrpNode> StartAsync(NnrpNodeOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var node = new NnrpNode(options, loggerFactory ?? NullLoggerFactory.Instance, time ?? TimeProvider.System);
        try
        {
            await node.StartPartsAsync(time, cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(TimeProvider? time, CancellationToken cancellationToken)
    {
        NnrpNodeOptions o = _options;
        Directory.CreateDirectory(o.DataDirectory);
        KeyPair identity = o.Identity ?? (_ownedIdentity = KeyPair.LoadOrCreate(Path.Combine(o.DataDirectory, "node.key")));
        _store = o.OpenStore(o, _loggers);

        HostOptions hostOptions = o.Host;
        if (o.PrivateNetwork && hostOptions.Limits.ExemptNetworks.Count == 0)
        {
            // NNRP.md §14.1: on a LAN or loopback testnet many nodes share an address.
            hostOptions = hostOptions with { Limits = hostOptions.Limits with { ExemptNetworks = NotificationGossip.PrivateNetworks } };
        }
        _host = new Libp2pHost(identity, hostOptions, _loggers);
        Identify = new IdentifyService(_host, _loggers);
        Identify.Start();
        Ping = new PingService(_host);
        Ping.Start();
        new PerfService(_host).Start();
        AttachRelay();
        StartAutoNat();
        AttachHolePunching();

        _ingress = new IngressGate(_store, o.Ingress, time, _loggers.CreateLogger<IngressGate>());
        _statusClient = new NnrpClient(_host, o.Verifier.Timeout);
        InitShards(_host.PeerId);
        // NNRP.md §11.8: sync runs over /nnrp/1.0; the responder and the initiator count into one set of figures.
        _sync = new SyncService(_host, _ingress, o.Sync, CountShardReplicasAsync, time, _loggers.CreateLogger<SyncService>(), Identify, SyncShardsWithAsync, SharesShard);
        _sync.ShardSynced += (_, shard) => ShardSynced(shard);
        SyncServer = new SyncServer(_store, o.Sync, time, _loggers.CreateLogger<SyncServer>(), _sync.Metrics, o.SyncSet?.Invoke(_store));
        _receipts = new ReceiptSigner(identity);
        _service = new NnrpService(this, o.Protocol, _loggers.CreateLogger<NnrpService>());
        _sweeper = new ExpirySweeper(_store, o.SweepInterval, time, _loggers.CreateLogger<ExpirySweeper>());
        _sweeper.Swept += (_, _) => _ingress.PruneTagWindows();
        _sweeper.Start();
        _service.Register(_host);

        _gossip = GossipSubService.Attach(_host, o.Gossip ?? NotificationGossip.DefaultOptions(o.PrivateNetwork), _loggers);
        NotificationTopics = new NotificationGossip(_gossip, this, _loggers.CreateLogger<NotificationGossip>());
        NotificationTopics.Start();
        _host.PeerScore = _gossip.GetScore;

        await _host.StartAsync(cancellationToken);
        _logger.NodeStarted(_host.PeerId.ToString(), hostOptions.AgentVersion, o.DataDirectory);
        foreach (Multiaddr address in Addresses)
        {
            _logger.Reachable(address.ToString());
        }

        StartReservations();
        IReadOnlyList<Multiaddr> bootstrap = await IdentifyBootstrapPeersAsync(cancellationToken);
        _providers = o.Dht.OpenProviderStore(o);
        // NNRP.md §14.2: provider records for shard keys only; providers verified by a status request.
        _verifier = new ProviderVerifier(_host, o.Verifier, time, _loggers.CreateLogger<ProviderVerifier>());
        _kad = new KadService(_host, _providers, new KadOptions
        {
            ProviderPolicy = new ShardProviderPolicy(_verifier),
            Mode = InitialKadMode(),
            BootstrapPeers = bootstrap,
            RoutingTablePath = o.Dht.SaveRoutingTable ? Path.Combine(o.DataDirectory, "kad-peers.txt") : null,
            AllowPrivateAddresses = o.PrivateNetwork,
        }, Identify, loggerFactory: _loggers, time: time);
        FollowReachability();
        _bootstrap = BootstrapAsync(bootstrap.Count, _stopping.Token);
    }

    /// <summary>
    /// The configured bootstrap peers with peer ids: an entry without one is dialed and takes the
    /// id of whoever answers (or is left out if none does); the node itself is left out.
    /// </summary>
    private async Task<IReadOnlyList<Multiaddr>> IdentifyBootstrapPeersAsync(CancellationToken cancellationToken)
    {
        var peers = new List<Multiaddr>();
        foreach (Multiaddr address in _options.Dht.BootstrapPeers)
        {
            if (address.PeerIdMultihash is not null)
            {
                peers.Add(address);
                continue;
            }
            try
            {
                using var dialTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                dialTimeout.CancelAfter(_options.Dht.BootstrapDialTimeout);
                Connection connection = await Host.DialAsync(address, dialTimeout.Token);
                peers.Add(address.WithPeerIdMultihash(connection.RemotePeer.Bytes.Span));
                _logger.BootstrapIdentified(address.ToString(), connection.RemotePeer.ToString());
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or OperationCanceledException or ProtocolViolationException && !cancellationToken.IsCancellationRequested)
            {
                _logger.BootstrapUnreachable(address.ToString(), ex.Message);
            }
        }
        return peers.Where(b => !b.PeerIdMultihash!.Value.Span.SequenceEqual(Host.PeerId.Bytes.Span)).ToArray();
    }

    /// <summary>DHT bootstrap, then (DESIGN.md "Shards") the provide of shard (0, 0) that a node storing everything makes, then scheduled sync.</summary>
    private async Task BootstrapAsync(int bootstrapPeers, CancellationToken cancellationToken)
    {
        try
        {
            await Kad.StartAsync(cancellationToken);
            _logger.DhtReady(Kad.RoutingTable.Count, bootstrapPeers);
            // NNRP.md §8.3: the key of every shard held (a full node: (0, 0)).
            await ProvideShardsAsync(cancellationToken);
            _shardLoop = ShardLoopAsync(cancellationToken);
            if (_options.SyncOnSchedule)
            {
                Sync.Start();
            }
            _dhtReady.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _dhtReady.TrySetCanceled(cancellationToken);
        }
        catch (Exception ex)
        {
            _logger.DhtFailed(ex);
            _dhtReady.TrySetException(ex);
        }
    }

    /// <summary>
    /// Stops in the reverse order of the start: background bootstrap, sync, the DHT (saving its
    /// routing table), the verifier, gossip, the host (no request arrives any more), the sweeper,
    /// the ingress (writing what it holds) and last the store, flushed and closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Services below remove their handlers as they stop; peers are not told of each (a restart keeps our table slots).
        _host?.BeginShutdown();
        await _stopping.CancelAsync();
        await _bootstrap;
        await _shardLoop;
        _dhtReady.TrySetCanceled(_stopping.Token);
        if (_sync is not null)
        {
            await _sync.DisposeAsync();
        }
        if (_kad is not null)
        {
            await _kad.DisposeAsync();
        }
        _providers?.Dispose();
        if (_verifier is not null)
        {
            await _verifier.DisposeAsync();
        }
        if (_gossip is not null)
        {
            await _gossip.DisposeAsync();
        }
        await StopHolePunchingAsync();
        await StopRelayAsync();
        await StopAutoNatAsync();
        if (_host is not null)
        {
            _host.RemoveStreamHandler(NnrpProtocol.Id);
            await _host.DisposeAsync();
        }
        if (_sweeper is not null)
        {
            await _sweeper.DisposeAsync();
        }
        if (_ingress is not null)
        {
            await _ingress.DisposeAsync();
        }
        _store?.Dispose();
        _ownedIdentity?.Dispose();
        _stopping.Dispose();
    }
}
