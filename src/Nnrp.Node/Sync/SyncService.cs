using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Shards;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Sync;

/// <summary>
/// The initiator side of §11.8 and its schedule (§11.8.7): sessions with a peer when identify
/// shows it serves <c>/nnrp/1.0</c> (a node, not a wallet) and every <see cref="SyncOptions.Interval"/>
/// with a few random connected peers that do (over the last <see cref="SyncOptions.RecentWindow"/>
/// of shards already synced whole). A session reconciles over /nnrp/1.0, pulls what the peer has and we lack
/// through the ingress gate (work re-checked), offers what it lacks while the replication rule
/// says so (§11.8.6), and keeps its open ranges to resume when its budget runs out.
/// </summary>
public sealed class SyncService : IAsyncDisposable
{
    /// <summary>§11.8.7: how often a refused request is retried before the session stops (and resumes later).</summary>
    private const int MaxRetries = 5;

    /// <summary>Longest wait honoured from a peer's retry_after_seconds.</summary>
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(5);

    private readonly Libp2pHost _host;
    private readonly IngressGate _ingress;
    private readonly SyncOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StoreSyncSet _set;
    private readonly ReplicationMonitor _replication;
    private readonly NnrpClient _client;
    private readonly IdentifyService? _identify;
    // §11.8.7: every piece of per-peer state is bounded: a few peers waiting, the ledger's caps.
    private readonly Channel<(PeerId Peer, SyncScope Scope)> _due = Channel.CreateBounded<(PeerId, SyncScope)>(
        new BoundedChannelOptions(SyncLimits.MaxDuePeers) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SessionLedger _ledger;
    private readonly ConcurrentDictionary<PeerId, byte> _running = new();
    // §11.8.7: shards (of sessions) over which a whole session completed since this node started.
    // Peers name the deeper side of each overlap in their status, so a liar could grow this; past
    // the cap a new overlap just keeps being synced whole (more rounds, never a missed item).
    private readonly ConcurrentDictionary<ShardId, byte> _caughtUp = new();

    /// <summary>Session shards remembered as synced whole (§11.8.7 "Scope").</summary>
    private const int MaxCaughtUpShards = 4096;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Func<PeerId, CancellationToken, Task<IReadOnlyList<ShardId>>>? _shardsWith;
    private readonly Func<PeerId, bool?>? _sharesShard;

    /// <summary>Raised after a session over a shard settled every range with a peer (§8.5: a node going shallower has caught up).</summary>
    public event Action<PeerId, ShardId>? ShardSynced;

    /// <param name="shardsWith">§11.8.8: the shards to sync with a peer (the overlaps of both sides' sets); null: (0, 0) with everyone.</param>
    public SyncService(Libp2pHost host, IngressGate ingress, SyncOptions? options = null,
        Func<CancellationToken, Task<int>>? countProviders = null, TimeProvider? time = null, ILogger? logger = null,
        IdentifyService? identify = null, Func<PeerId, CancellationToken, Task<IReadOnlyList<ShardId>>>? shardsWith = null,
        Func<PeerId, bool?>? sharesShard = null)
    {
        _shardsWith = shardsWith;
        _sharesShard = sharesShard;
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(ingress);
        _host = host;
        _ingress = ingress;
        _options = options ?? new SyncOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _set = new StoreSyncSet(ingress.Store);
        _client = new NnrpClient(host, TimeSpan.FromSeconds(30));
        _replication = new ReplicationMonitor(countProviders, _options, Metrics, _time, _logger);
        _ledger = new SessionLedger(_options, _time);
        _identify = identify;
    }

    /// <summary>What this node remembers about peers between sessions (bounded, expiring).</summary>
    public SessionLedger Ledger => _ledger;

    public SyncMetrics Metrics { get; } = new();

    /// <summary>Starts syncing on connect and on the interval.</summary>
    public void Start()
    {
        // Wallets (browser pages over /ws, CLI clients) connect too but serve no /nnrp/1.0: with
        // identify, only peers that list it are synced, so a wallet costs no session and no
        // failure; without identify (bare hosts in tests) every connection is tried.
        if (_identify is not null)
        {
            _identify.PeerIdentified += OnPeerIdentified;
        }
        else
        {
            _host.ConnectionOpened += OnConnectionOpened;
        }
        for (int i = 0; i < Math.Max(1, _options.MaxConcurrentSessions); i++)
        {
            _loops.Add(Task.Run(() => WorkAsync(_stop.Token)));
        }
        _loops.Add(Task.Run(() => TickAsync(_stop.Token)));
        _logger.Started(_options.Interval, _options.PeersPerRound);
    }

    /// <summary>NNRP.md §14.4: a relayed circuit (limited in time and bytes) carries no sync.</summary>
    private void OnConnectionOpened(object? sender, ConnectionEventArgs e)
    {
        if (!e.Connection.IsLimited)
        {
            Schedule(e.Connection.RemotePeer);
        }
    }

    private void OnPeerIdentified(object? sender, PeerIdentifiedEventArgs e)
    {
        if (e.Result.Protocols.Contains(NnrpProtocol.Id) && _host.GetConnections(e.Result.Peer).Any(static c => !c.IsClosed && !c.IsLimited))
        {
            Schedule(e.Result.Peer);
        }
    }

    /// <summary>Whether <paramref name="peer"/> can answer a sync request: identify listed <c>/nnrp/1.0</c>.</summary>
    private bool ServesNnrp(PeerId peer) => _identify is null || _host.PeerStore.GetProtocols(peer).Contains(NnrpProtocol.Id);

    /// <summary>Queues a session with <paramref name="peer"/> over everything unless one ran lately or is running.</summary>
    public void Schedule(PeerId peer) => Schedule(peer, SyncScope.Everything);

    /// <summary>Queues a session with <paramref name="peer"/> of <paramref name="scope"/> unless one ran lately or is running.</summary>
    public void Schedule(PeerId peer, SyncScope scope)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (_ledger.IsDue(peer))
        {
            _due.Writer.TryWrite((peer, scope));
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                _ledger.Prune();
                PeerId[] peers = _host.Connections.Select(c => c.RemotePeer).Distinct().Where(ServesNnrp).ToArray();
                Random.Shared.Shuffle(peers);
                IEnumerable<PeerId> round = _sharesShard is null ? peers.Take(_options.PeersPerRound) : SyncPeerChoice.Pick(peers, _sharesShard, _options.PeersPerRound);
                foreach (PeerId peer in round)
                {
                    // §11.8.7: a periodic session re-walks only the recent window of what it has caught up on.
                    Schedule(peer, SyncScope.Recent);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach ((PeerId peer, SyncScope scope) in _due.Reader.ReadAllAsync(cancellationToken))
            {
                if (!_running.TryAdd(peer, 0))
                {
                    continue;
                }
                try
                {
                    if (!_ledger.TryStart(peer))
                    {
                        continue;
                    }
                    await SyncWithAsync(peer, scope, cancellationToken);
                }
                finally
                {
                    _running.TryRemove(peer, out _);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// §11.8.8: a session with <paramref name="peer"/> over each shard both hold (one, (0, 0),
    /// between full nodes); the outcomes summed. Failures are logged and counted, never thrown.
    /// </summary>
    public Task<SyncOutcome> SyncWithAsync(PeerId peer, CancellationToken cancellationToken = default) =>
        SyncWithAsync(peer, SyncScope.Everything, cancellationToken);

    /// <summary>
    /// §11.8.8 with §11.8.7's scope: <see cref="SyncScope.Recent"/> limits each session over a
    /// shard this node has already synced whole (since it started) to the last
    /// <see cref="SyncOptions.RecentWindow"/>; any other shard is synced whole.
    /// </summary>
    public async Task<SyncOutcome> SyncWithAsync(PeerId peer, SyncScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        IReadOnlyList<ShardId> shards = _shardsWith is null ? [ShardId.Full] : await _shardsWith(peer, cancellationToken);
        var total = new SyncOutcome { Complete = true, Whole = true };
        foreach (ShardId shard in shards)
        {
            SyncOutcome one = await SyncWithAsync(peer, shard, scope, cancellationToken);
            total.Rounds += one.Rounds;
            total.Bytes += one.Bytes;
            total.Pulled += one.Pulled;
            total.Offered += one.Offered;
            total.Complete &= one.Complete;
            total.Whole &= one.Whole;
            total.Failure ??= one.Failure;
        }
        total.Shards = shards.Count;
        return total;
    }

    /// <summary>One session with <paramref name="peer"/> over <paramref name="shard"/>'s items (§11.8.8); failures are logged and counted, never thrown.</summary>
    public Task<SyncOutcome> SyncWithAsync(PeerId peer, ShardId shard, CancellationToken cancellationToken = default) =>
        SyncWithAsync(peer, shard, SyncScope.Everything, cancellationToken);

    /// <summary>One session over <paramref name="shard"/> of <paramref name="scope"/> (see the peer overload).</summary>
    public async Task<SyncOutcome> SyncWithAsync(PeerId peer, ShardId shard, SyncScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.SessionTimeout);
        ISyncSet set = ((ISyncSet)_set).ForShard(shard);
        // A new session settles the last hour, day and week first (§11.8.3 "Recent first"); a whole
        // session continues the last one over the shard that stopped on its budget, with any peer (§11.8.7).
        bool full = shard.Bits == 0;
        ulong now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
        var recent = new TimeKey(now - Math.Min(now, (ulong)_options.RecentWindow.TotalSeconds), SyncBounds.Lowest.Hash);
        TimeKey? from = scope == SyncScope.Recent && _caughtUp.ContainsKey(shard) ? recent : null;
        // A recent-window session neither resumes nor saves: whole sessions cover the history.
        bool resumable = from is null;
        SyncSession session = resumable && _ledger.TakeResume(shard) is { } resume
            ? SyncSession.Resume(set, resume, recent)
            : new SyncSession(set, from, now);
        var outcome = new SyncOutcome();
        Metrics.Session();
        try
        {
            while (await Task.Run(session.NextRequest, deadline.Token) is { } ranges)
            {
                var request = new SyncRequest { Reconcile = new SyncReconcile() };
                request.Reconcile.Ranges.Add(ranges.Select(SyncWire.ToProto));
                if (!full)
                {
                    // Absent means (0, 0), so full-node sessions stay byte-identical to before §11.8.8.
                    request.Reconcile.Shard = shard.ToProto();
                }
                SyncResponse? response = await ExchangeAsync(peer, request, session, deadline.Token);
                if (response is null)
                {
                    break;
                }
                List<SyncRange> answer = SyncWire.FromProto(response.Ranges, SyncLimits.MaxResponseRanges, SyncLimits.ResponderIdListMax, SyncLimits.MaxResponseIds, allowOpen: true);
                await Task.Run(() => session.Apply((int)response.Answered, answer), deadline.Token);
                outcome.Rounds++;
                while (session.Need.Count >= SyncLimits.MaxGetHashes)
                {
                    await PullAsync(peer, session, outcome, deadline.Token);
                }
            }
            while (session.Need.Count > 0)
            {
                await PullAsync(peer, session, outcome, deadline.Token);
            }
            if (session.Offer.Count > 0 && await _replication.ShouldOfferAsync(deadline.Token))
            {
                await OfferAsync(peer, session, outcome, deadline.Token);
            }
            outcome.Complete = session.IsComplete;
        }
        catch (SyncProtocolException ex)
        {
            // A peer that breaks the rules gets no resumption: the next session starts afresh.
            Metrics.SessionFailed();
            _logger.PeerViolation(peer.ToString(), ex.Message);
            outcome.Failure = ex.Message;
            return outcome;
        }
        catch (Exception ex) when (ex is IOException or TimeoutException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // An I/O failure is a failed session even while the node stops (a connection closed
            // under a running session): only our own cancellation propagates, so nothing
            // escapes the worker and DisposeAsync.
            Metrics.SessionFailed();
            _logger.SessionFailed(peer.ToString(), ex.Message);
            outcome.Failure = ex.Message;
        }
        outcome.Bytes = session.Bytes;
        if (!session.IsComplete && resumable)
        {
            _ledger.Save(shard, session.Remaining);
        }
        outcome.Whole = from is null;
        if (outcome.Complete && from is null)
        {
            // Only a whole session proves the shard caught up (§8.5, §8.6 wait on this).
            if (_caughtUp.Count < MaxCaughtUpShards)
            {
                _caughtUp.TryAdd(shard, 0);
            }
            ShardSynced?.Invoke(peer, shard);
        }
        _logger.SessionDone(peer.ToString(), outcome.Rounds, outcome.Bytes, outcome.Pulled, outcome.Offered, outcome.Complete);
        return outcome;
    }

    /// <summary>One request on a fresh stream; retries refusals that ask to wait, null when the peer will not answer now.</summary>
    private async Task<SyncResponse?> ExchangeAsync(PeerId peer, SyncRequest sync, SyncSession session, CancellationToken cancellationToken)
    {
        var request = new Request { Sync = sync };
        for (int attempt = 0; ; attempt++)
        {
            Response response;
            Libp2pStream stream = await _host.NewStreamAsync(peer, [NnrpProtocol.Id], cancellationToken);
            await using (stream)
            {
                try
                {
                    response = await NnrpClient.ExchangeAsync(stream, request, cancellationToken);
                }
                catch
                {
                    stream.Reset();
                    throw;
                }
            }
            long sent = request.CalculateSize();
            long received = response.CalculateSize();
            session.CountBytes(sent + received);
            Metrics.Round(sent, received);
            if (response.Status == StatusCode.Ok)
            {
                return response.Sync ?? throw new SyncProtocolException("an OK sync response carries no sync body");
            }
            _logger.Refused(peer.ToString(), response.Status, response.Message);
            if (response.Status is not (StatusCode.RateLimited or StatusCode.OverCapacity) || attempt >= MaxRetries)
            {
                return null;
            }
            TimeSpan wait = TimeSpan.FromSeconds(Math.Max(1, response.RetryAfterSeconds));
            await Task.Delay(wait < MaxRetryWait ? wait : MaxRetryWait, _time, cancellationToken);
        }
    }

    /// <summary>§11.8.5: gets up to 96 needed notifications and submits each to the ingress gate.</summary>
    private async Task PullAsync(PeerId peer, SyncSession session, SyncOutcome outcome, CancellationToken cancellationToken)
    {
        List<NotificationHash> wanted = session.TakeNeed(SyncLimits.MaxGetHashes);
        var get = new SyncGet();
        get.Hashes.Add(wanted.Select(h => ByteString.CopyFrom(h.ToArray())));
        SyncResponse? response = await ExchangeAsync(peer, new SyncRequest { Get = get }, session, cancellationToken);
        if (response is null)
        {
            return;
        }
        var asked = wanted.ToHashSet();
        var submissions = new List<Task<Decision>>(response.Notifications.Count);
        var origin = Origin.SyncPull(peer);
        foreach (Core.Protocol.Notification proto in response.Notifications)
        {
            Notification n;
            try
            {
                n = NotificationProtobuf.FromProto(proto);
            }
            catch (NnrpFormatException ex)
            {
                throw new SyncProtocolException("the peer returned a malformed notification: " + ex.Message, ex);
            }
            if (!asked.Remove(n.Hash))
            {
                throw new SyncProtocolException("the peer returned a notification that was not asked for");
            }
            submissions.Add(_ingress.SubmitAsync(n, origin, cancellationToken));
        }
        foreach (Decision result in await Task.WhenAll(submissions))
        {
            // The puller's table: only a notification this node newly stored counts as pulled;
            // every refusal (a duplicate, work below this node's price, …) leaves it to the peer.
            bool accepted = result.Status == DecisionStatus.Accepted;
            Metrics.Pulled(accepted);
            outcome.Pulled += accepted ? 1 : 0;
        }
    }

    /// <summary>§11.8.6: publishes what the peer lacks, one per stream, through its ingress gate.</summary>
    private async Task OfferAsync(PeerId peer, SyncSession session, SyncOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (NotificationHash hash in session.TakeOffer(_options.MaxOffersPerSession))
        {
            if (_ingress.Store.Get(hash) is not { } n)
            {
                continue;
            }
            PublishResult result = await _client.PublishAsync(peer, n, cancellationToken);
            long size = NotificationProtobuf.Encode(n).Length;
            session.CountBytes(size);
            Metrics.Bytes(size, 0);
            if (result.Status == StatusCode.Ok)
            {
                Metrics.Offered();
                outcome.Offered++;
            }
            else if (result.Status is StatusCode.RateLimited or StatusCode.OverCapacity)
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _host.ConnectionOpened -= OnConnectionOpened;
        if (_identify is not null)
        {
            _identify.PeerIdentified -= OnPeerIdentified;
        }
        _due.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}

/// <summary>What a session covers (NNRP.md §11.8.7).</summary>
public enum SyncScope
{
    /// <summary>Everything stored: sessions on a new connection, and any shard not yet synced whole.</summary>
    Everything,

    /// <summary>The last <see cref="SyncOptions.RecentWindow"/> of a shard already synced whole: the periodic sessions.</summary>
    Recent,
}

/// <summary>What one session did.</summary>
public sealed class SyncOutcome
{
    public int Rounds { get; internal set; }

    public long Bytes { get; internal set; }

    public int Pulled { get; internal set; }

    public int Offered { get; internal set; }

    /// <summary>Every range settled (nothing left to resume).</summary>
    public bool Complete { get; internal set; }

    /// <summary>The session covered everything stored, not only the recent window (§11.8.7).</summary>
    public bool Whole { get; internal set; }

    /// <summary>Sessions run: one per shard both sides hold (§11.8.8); 0 when they share none.</summary>
    public int Shards { get; internal set; } = 1;

    /// <summary>Why the session ended early, or null.</summary>
    public string? Failure { get; internal set; }
}
