using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Host;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node;

/// <summary>
/// The node's parts wired together: RocksDB store, the one ingress gate, the TTL sweeper and
/// the /nnrp/1.0 service on a libp2p host. GossipSub, the DHT and the HTTP API attach to
/// <see cref="Ingress"/> (every door submits there) and <see cref="Store"/> (queries).
/// </summary>
public sealed partial class NnrpNode : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly NnrpServiceOptions _protocol;
    private readonly ReceiptSigner _receipts;
    private readonly TimeProvider _time;

    private NnrpNode(Libp2pHost host, RocksDbNotificationStore store, IngressGate ingress, ExpirySweeper sweeper,
        NnrpNodeOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _host = host;
        Store = store;
        Ingress = ingress;
        Sweeper = sweeper;
        _protocol = options.Protocol;
        _time = time;
        _receipts = new ReceiptSigner(host.Identity);
        RateRules = new RateRules(time);
        RateRules.Set(OriginKind.Peer, new RateRule(options.Protocol.PeerRequestsPerSecond, options.Protocol.PeerBurst));
        FetchBudget = new FetchBudget(options.FetchBudget);
        Service = new NnrpService(this, options.Protocol, loggerFactory.CreateLogger<NnrpService>());
    }

    public INotificationStore Store { get; }

    public IngressGate Ingress { get; }

    public NnrpService Service { get; }

    public ExpirySweeper Sweeper { get; }

    /// <summary>Opens the store, starts the ingress writer and the sweeper, and serves /nnrp/1.0 on <paramref name="host"/>.</summary>
    /// <exception cref="StoreUnavailableException">the store cannot be opened.</exception>
    public static NnrpNode Start(Libp2pHost host, NnrpNodeOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var store = RocksDbNotificationStore.Open(System.IO.Path.Combine(options.DataDirectory, "store"), options.Store,
            loggerFactory.CreateLogger<RocksDbNotificationStore>());
        var ingress = new IngressGate(store, options.Ingress, time, loggerFactory.CreateLogger<IngressGate>());
        var sweeper = new ExpirySweeper(store, options.SweepInterval, time, loggerFactory.CreateLogger<ExpirySweeper>());
        sweeper.Swept += (_, _) => ingress.PruneTagWindows();
        sweeper.Start();
        var node = new NnrpNode(host, store, ingress, sweeper, options, time ?? TimeProvider.System, loggerFactory);
        node.Service.Register(host);
        return node;
    }

    /// <summary>Stops the sweeper, writes what the ingress holds, and closes the store (flushing it).</summary>
    public async ValueTask DisposeAsync()
    {
        _host.RemoveStreamHandler(NnrpProtocol.Id);
        await Sweeper.DisposeAsync();
        await Ingress.DisposeAsync();
        Store.Dispose();
    }
}
