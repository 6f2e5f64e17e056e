using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Kad.Records;
using Nnrp.Libp2p.Kad.RoutingTable;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// The Kad-DHT of a host (libp2p/specs kad-dht, under <see cref="KadOptions.ProtocolId"/>):
/// serves requests in server mode, keeps the routing table filled (bootstrap, self-lookup,
/// bucket refresh, re-bootstrap when low), answers and stores provider records, republishes
/// our own, sweeps expired ones, and saves the table for the next start.
/// </summary>
public sealed partial class KadService : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly IdentifyService? _identify;
    private readonly IProviderStore _providers;
    private readonly KadOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KadRpc _rpc;
    private readonly KadRequestHandler _handler;
    private readonly ProviderRanking _ranking;
    private readonly ConcurrentDictionary<string, byte[]> _provided = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _maintenance = Task.CompletedTask;
    private DateTimeOffset _lastSweep;
    private DateTimeOffset _lastRepublish;
    private int _state; // 0 new, 1 started, 2 stopped

    public KadService(
        Libp2pHost host,
        IProviderStore providers,
        KadOptions? options = null,
        IdentifyService? identify = null,
        IRecordValidator? validator = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(providers);
        _host = host;
        _providers = providers;
        _identify = identify;
        _options = options ?? new KadOptions();
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<KadService>();
        RoutingTable = new KadRoutingTable(KadKey.Hash(host.PeerId.Bytes.Span), _options.RoutingTable, _time);
        _ranking = new ProviderRanking(host.PeerId.Bytes, _options.ProviderPolicy);
        _rpc = new KadRpc(host, RoutingTable, _options, _logger);
        _handler = new KadRequestHandler(host, RoutingTable, providers, validator ?? new NamespacedValidator(), _options, _rpc, _time, _logger);
        RoutingTable.PeerRemoved += peer => Log.PeerEvicted(_logger, peer.ToString());
        // NNRP.md §14.1: the connection trimmer never closes a routing-table peer.
        RoutingTable.PeerAdded += peer => host.Protect(PeerId.FromBytes(peer.Id.Span), ProtectionTag);
        RoutingTable.PeerRemoved += peer => host.Unprotect(PeerId.FromBytes(peer.Id.Span), ProtectionTag);
    }

    /// <summary>The tag under which routing-table peers are protected from trimming.</summary>
    public const string ProtectionTag = "kad";

    public KadOptions Options => _options;

    public KadRoutingTable RoutingTable { get; }

    public IProviderStore Providers => _providers;

    /// <summary>Kad requests this node has sent (for "messages per lookup" figures).</summary>
    public long RequestsSent => _rpc.RequestsSent;

    /// <summary>
    /// Registers the protocol (server mode only, so identify advertises it only then), learns
    /// DHT servers from identify, reads the saved table, bootstraps, and starts maintenance.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the Kad service was already started");
        }
        if (Mode == KadMode.Server)
        {
            _host.SetStreamHandler(_options.ProtocolId, _handler.HandleAsync);
        }
        if (_identify is not null)
        {
            _identify.PeerIdentified += OnPeerIdentified;
        }
        Log.Started(_logger, Mode, _options.ProtocolId);
        DateTimeOffset now = _time.GetUtcNow();
        _lastSweep = now;
        _lastRepublish = now;
        await BootstrapAsync(cancellationToken);
        _maintenance = MaintainAsync(_stopping.Token);
    }

    /// <summary>
    /// Issue 3 §6: reach the configured and saved peers, then look up our own key so the
    /// table fills with our neighbourhood, then refresh the buckets that are due. Returns the
    /// routing table size.
    /// </summary>
    public async Task<int> BootstrapAsync(CancellationToken cancellationToken)
    {
        var seeds = new List<KadPeer>(RoutingTablePersistence.ToPeers(_options.BootstrapPeers));
        if (_options.RoutingTablePath is { } path)
        {
            try
            {
                seeds.AddRange(await RoutingTablePersistence.LoadAsync(path, cancellationToken));
            }
            catch (FormatException ex)
            {
                Log.BootstrapPeerSkipped(_logger, path, ex.Message);
            }
        }
        seeds.RemoveAll(p => p.Key == RoutingTable.LocalKey);
        await LookupClosestAsync(_host.PeerId.Bytes, Protobuf.Message.Types.MessageType.FindNode, seeds, null, cancellationToken);
        int reached = seeds.Count(p => RoutingTable.Contains(p.Key));
        Log.Bootstrapped(_logger, reached, seeds.Count, RoutingTable.Count);
        await RefreshAsync(cancellationToken);
        return RoutingTable.Count;
    }

    /// <summary>Runs a lookup for a random key in every bucket that is due (kad-dht/README.md "Bootstrap process").</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        foreach (int bucket in RoutingTable.BucketsDueForRefresh())
        {
            byte[] key = RoutingTable.RandomKeyInBucket(bucket);
            await LookupClosestAsync(key, Protobuf.Message.Types.MessageType.FindNode, [], null, cancellationToken);
        }
    }

    private void OnPeerIdentified(object? sender, PeerIdentifiedEventArgs e)
    {
        IdentifyResult result = e.Result;
        if (!result.Protocols.Contains(_options.ProtocolId, StringComparer.Ordinal))
        {
            // A peer that stopped serving the DHT (switched to client mode, NNRP.md §14.5) leaves the table.
            if (result.Protocols.Count > 0)
            {
                RoutingTable.Remove(KadKey.Hash(result.Peer.Bytes.Span));
            }
            return;
        }
        Multiaddr[] addresses = result.ListenAddresses.Where(a => KadAddresses.IsUsable(a, _options.AllowPrivateAddresses)).Take(KadCodec.MaxAddressesPerPeer).ToArray();
        _rpc.Answered(new KadPeer(result.Peer.Bytes.Span, addresses));
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await MaintainOnceAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.BackgroundFailed(_logger, ex, "maintenance");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One maintenance round: re-bootstrap or refresh, sweep, republish, save.</summary>
    internal async Task MaintainOnceAsync(CancellationToken cancellationToken)
    {
        if (RoutingTable.Count < _options.LowPeerThreshold)
        {
            await BootstrapAsync(cancellationToken);
        }
        else
        {
            await RefreshAsync(cancellationToken);
        }
        DateTimeOffset now = _time.GetUtcNow();
        if (now - _lastSweep >= _options.ExpirySweepInterval)
        {
            _lastSweep = now;
            int swept = _providers.RemoveExpired(now);
            if (swept > 0)
            {
                Log.ProvidersSwept(_logger, swept);
            }
        }
        if (now - _lastRepublish >= _options.RepublishInterval)
        {
            _lastRepublish = now;
            await RepublishAsync(cancellationToken);
        }
        await SaveRoutingTableAsync(cancellationToken);
    }

    /// <summary>Announces every key we provide again (issue 3 §4: every 22 h, within the 48 h TTL).</summary>
    public async Task RepublishAsync(CancellationToken cancellationToken)
    {
        int count = 0;
        foreach (byte[] key in _provided.Values)
        {
            await ProvideAsync(key, cancellationToken);
            count++;
        }
        Log.Republished(_logger, count);
    }

    public async Task SaveRoutingTableAsync(CancellationToken cancellationToken)
    {
        if (_options.RoutingTablePath is not { } path || RoutingTable.Count == 0)
        {
            return;
        }
        try
        {
            await RoutingTablePersistence.SaveAsync(RoutingTable, path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SaveFailed(_logger, path, ex.Message);
        }
    }

    /// <summary>Stops maintenance, saves the table and unregisters the protocol; the host and store stay the caller's.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }
        await _stopping.CancelAsync();
        await _maintenance;
        if (_identify is not null)
        {
            _identify.PeerIdentified -= OnPeerIdentified;
        }
        if (Mode == KadMode.Server)
        {
            _host.RemoveStreamHandler(_options.ProtocolId);
        }
        await SaveRoutingTableAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private KadPeer Self() =>
        new(_host.PeerId.Bytes.Span, _host.GetAdvertisedAddresses().Where(a => KadAddresses.IsUsable(a, _options.AllowPrivateAddresses)).Take(KadCodec.MaxAddressesPerPeer).ToArray());

    private static PeerId ToPeerId(KadPeer peer) => PeerId.FromBytes(peer.Id.Span);
}
