using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Protocol;
using Nnrp.Node.Providers;
using Nnrp.Node.Shards;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node;

/// <summary>
/// NNRP.md §8: the shards this node holds. <see cref="ShardResponsibility"/> decides; this part
/// applies its decisions — the ingress filter (§8.3), the provided DHT keys, the gossip topics
/// (through <see cref="ShardsChanged"/>), deleting a left shard (§8.5) — and runs the evaluation
/// timer that gathers peers' status for the volume estimate (§8.2).
/// </summary>
public sealed partial class NnrpNode
{
    private const string ShardStateFile = "shards.json";

    private ShardResponsibility _shards = null!;
    private ShardSet _held = ShardSet.Full;
    private readonly HashSet<ShardId> _providing = [];
    private ShardId[] _providingNow = [];
    private readonly SemaphoreSlim _provideLock = new(1, 1);
    private Task _shardLoop = Task.CompletedTask;
    private DateTimeOffset _lastMove = DateTimeOffset.MinValue;
    private DateTimeOffset _shallowerSince;

    // §8.6: the last depth evaluation's volume estimate V̂ (null before one had enough reports).
    private ulong? _volumeEstimate;
    private volatile bool _newHalfCaughtUp;

    /// <summary>§8: what the node holds and provides, and its moves.</summary>
    public ShardResponsibility Shards => _shards;

    /// <summary>S right now (§8.1): what ingress, gossip and sync take.</summary>
    public ShardSet HeldShards => Volatile.Read(ref _held);

    /// <summary>The last status of peers (§8.2, §11.8.8).</summary>
    public PeerShardBook PeerShards { get; private set; } = null!;

    /// <summary>Raised after <see cref="HeldShards"/> changed (gossip re-joins its topics).</summary>
    public event Action<ShardSet>? ShardsChanged;

    /// <summary>Builds the responsibility (auto: at the depth last reached) and filters ingress by it.</summary>
    private void InitShards(PeerId self)
    {
        PeerShards = new PeerShardBook(_time);
        ShardOptions o = _options.Shards;
        int depth = o.Setting.IsAuto ? LoadDepth() : 0;
        _shards = new ShardResponsibility(o.Setting, self.Bytes.Span, depth);
        _held = _shards.Held;
        Ingress.HoldsTag = tag => Volatile.Read(ref _held).Holds(tag);
        _shards.Changed += OnShardsChanged;
        _logger.HoldingShards(_held.ToString(), o.Setting.ToString());
    }

    private void OnShardsChanged(ShardResponsibility shards)
    {
        ShardSet held = shards.Held;
        ShardSet previous = Interlocked.Exchange(ref _held, held);
        if (shards.Setting.IsAuto && shards.Moving == Move.None)
        {
            // §8.5: only a settled depth is recorded; a move cut short by a restart starts again.
            SaveDepth(shards.Depth);
        }
        if (!previous.Equals(held))
        {
            _logger.HoldingShards(held.ToString(), shards.Moving.ToString());
            ShardsChanged?.Invoke(held);
        }
        if (IsDhtBootstrapped)
        {
            _ = ProvideShardsAsync(_stopping.Token);
        }
    }

    /// <summary>§8.3: provides the key of every shard in <see cref="ShardResponsibility.Provided"/> and stops providing the rest.</summary>
    private async Task ProvideShardsAsync(CancellationToken cancellationToken)
    {
        await _provideLock.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyList<ShardId> wanted = _shards.Provided.Shards;
            foreach (ShardId gone in _providing.Where(s => !wanted.Contains(s)).ToArray())
            {
                Kad.StopProviding(gone.WireKey());
                _providing.Remove(gone);
                PublishProviding();
                _logger.StoppedProvidingShard(gone.ToString());
            }
            foreach (ShardId shard in wanted.Where(s => !_providing.Contains(s)).ToArray())
            {
                _providing.Add(shard);
                PublishProviding();
                int provided = await Kad.ProvideAsync(shard.WireKey(), cancellationToken);
                _logger.ProvidingShard(Nnrp.Protocol.Shards.ShardKeys.CidString(shard.Bits, shard.Index), provided);
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            _logger.ShardStepFailed(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _provideLock.Release();
        }
    }

    /// <summary>The shards whose keys this node provides (and republishes) right now (§8.3), shallowest first.</summary>
    public IReadOnlyList<ShardId> ProvidedShards => Volatile.Read(ref _providingNow);

    private void PublishProviding() => Volatile.Write(ref _providingNow, [.. _providing.OrderBy(s => s.Bits).ThenBy(s => s.Index)]);

    private async Task ShardLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.Shards.FirstEvaluation, _time, cancellationToken);
            using var timer = new PeriodicTimer(_options.Shards.EvaluateInterval, _time);
            do
            {
                await EvaluateShardsAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One evaluation (§8.2, §8.5): finishes a move in progress when its condition holds, else
    /// (auto, past the move interval) gathers status from connected peers, estimates the volume
    /// and starts a move when the plan says so. Failures are logged; the next tick tries again.
    /// </summary>
    public async Task EvaluateShardsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            switch (_shards.Moving)
            {
                case Move.Deepening when _shards.Sibling is { } sibling:
                    int holders = await CountHoldersAsync(sibling, ShardResponsibility.SafeProviders, cancellationToken);
                    if (_shards.SiblingReplicated(holders) is { } dropped)
                    {
                        DropShard(dropped);
                    }
                    return;
                case Move.Shallower:
                    if (_newHalfCaughtUp || _time.GetUtcNow() - _shallowerSince >= _options.Shards.CatchUpTimeout)
                    {
                        _shards.CaughtUp();
                    }
                    return;
            }
            if (!_shards.Setting.IsAuto)
            {
                return;
            }
            await RepairAsync(cancellationToken);
            if (_time.GetUtcNow() - _lastMove < _options.Shards.MinMoveInterval)
            {
                return;
            }
            await GatherStatusAsync(cancellationToken);
            var reports = new List<ulong>(PeerShards.Reports())
            {
                DepthPlanner.Report((ulong)Math.Max(0, Store.Statistics.Bytes), HeldShards.ShallowestBits),
            };
            ulong? estimate = DepthPlanner.Estimate(reports);
            _volumeEstimate = estimate;
            int depth = _shards.Depth;
            int target = DepthPlanner.Plan(depth, estimate, _options.Store.MaxBytes);
            _logger.DepthEvaluated(reports.Count, estimate ?? 0, depth, target);
            if (target != depth)
            {
                _newHalfCaughtUp = false;
                _shallowerSince = _time.GetUtcNow();
                if (_shards.MoveTo(target))
                {
                    _lastMove = _time.GetUtcNow();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException or Storage.StoreUnavailableException
            or ObjectDisposedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.ShardStepFailed(ex.Message);
        }
    }

    /// <summary>§11.8.8: sync tells the node a session over a shard completed: the half it is taking on (§8.5), a repair shard (§8.6).</summary>
    internal void ShardSynced(ShardId shard)
    {
        if (_shards.NewHalf is { } half && shard.Contains(half))
        {
            _newHalfCaughtUp = true;
        }
        foreach (ShardId repair in _shards.Repairs)
        {
            if (shard.Contains(repair))
            {
                _shards.RepairSynced(repair);
            }
        }
    }

    /// <summary>
    /// §8.6: gives back repair shards that gained enough holders, then, with room for one more
    /// shard at its depth or a few bits deeper (<see cref="DepthPlanner.RepairDepth"/>), checks one
    /// random shard at that depth and takes it up when fewer than 3 verified providers hold it
    /// (a holder of a shard containing it counts).
    /// </summary>
    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        foreach (ShardId repair in _shards.Repairs)
        {
            if (await CountHoldersAsync(repair, ShardResponsibility.ReleaseAtProviders, cancellationToken) >= ShardResponsibility.ReleaseAtProviders
                && _shards.Release(repair))
            {
                DropShard(repair);
            }
        }
        int depth = _shards.Depth;
        if (depth == 0 || _shards.Moving != Move.None || _shards.Repairs.Count >= ShardResponsibility.MaxRepairShards
            || DepthPlanner.RepairDepth(Store.Statistics.Bytes, _volumeEstimate, depth, _options.Store.MaxBytes) is not { } repairDepth)
        {
            return;
        }
        var candidate = new ShardId(repairDepth, (uint)Random.Shared.NextInt64(1L << repairDepth));
        if (HeldShards.Shards.Any(h => h.Overlaps(candidate)))
        {
            return;
        }
        int holders = await CountHoldersAsync(candidate, ShardResponsibility.SafeProviders, cancellationToken);
        if (holders < ShardResponsibility.SafeProviders && _shards.TakeUp(candidate))
        {
            _logger.TookUpShard(candidate.ToString(), holders);
        }
    }

    /// <summary>
    /// §11.8.8: the shards to sync with <paramref name="peer"/>, the overlaps of its last status's
    /// shards with ours; a peer whose status is unknown is asked first, and one that does not answer is not synced with.
    /// </summary>
    private async Task<IReadOnlyList<ShardId>> SyncShardsWithAsync(PeerId peer, CancellationToken cancellationToken)
    {
        PeerShards? theirs = PeerShards.Find(peer);
        if (theirs is null && await AskStatusAsync(peer, cancellationToken))
        {
            theirs = PeerShards.Find(peer);
        }
        return theirs is null ? [] : HeldShards.Intersections(theirs.Shards.Shards);
    }

    /// <summary>§11.8.7: whether <paramref name="peer"/>'s last status shares a shard with this node (null: no fresh status).</summary>
    private bool? SharesShard(PeerId peer) =>
        PeerShards.Find(peer) is { } theirs ? HeldShards.Intersections(theirs.Shards.Shards).Count > 0 : null;

    /// <summary>§8.2: asks up to <see cref="ShardOptions.StatusPeers"/> connected peers that serve /nnrp/1.0 for their status.</summary>
    private async Task GatherStatusAsync(CancellationToken cancellationToken)
    {
        PeerId[] peers = Host.Connections.Where(static c => !c.IsClosed && !c.IsLimited).Select(static c => c.RemotePeer).Distinct()
            .Where(p => Host.PeerStore.GetProtocols(p).Contains(NnrpProtocol.Id)).ToArray();
        Random.Shared.Shuffle(peers);
        await Task.WhenAll(peers.Take(_options.Shards.StatusPeers).Select(p => AskStatusAsync(p, cancellationToken)));
    }

    /// <summary>Asks <paramref name="peer"/> for its status and records it; false when it did not answer.</summary>
    internal async Task<bool> AskStatusAsync(PeerId peer, CancellationToken cancellationToken)
    {
        try
        {
            StatusResponse status = await _statusClient.StatusAsync(peer, cancellationToken);
            PeerShards.Record(peer, status);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A probe of a remote peer: whatever went wrong there, the answer is "no report".
            return false;
        }
    }

    /// <summary>
    /// Verified providers (§14.2) other than this node of <paramref name="shard"/> or of a shard
    /// containing it (they hold it too), looked up from the shard up, stopping at <paramref name="enough"/>.
    /// </summary>
    private async Task<int> CountHoldersAsync(ShardId shard, int enough, CancellationToken cancellationToken)
    {
        var holders = new HashSet<KadKey>();
        for (ShardId s = shard; ; s = s.Parent)
        {
            await foreach (KadPeer provider in Kad.FindProvidersAsync(s.WireKey(), ProviderVerifier.ReplicaCandidates, cancellationToken))
            {
                if (!provider.Id.Span.SequenceEqual(Host.PeerId.Bytes.Span) && !holders.Contains(provider.Key)
                    && await Verifier.VerifyAsync(provider, cancellationToken) && await HoldsAsync(provider, shard, cancellationToken))
                {
                    holders.Add(provider.Key);
                }
            }
            if (holders.Count >= enough || s.Bits == 0)
            {
                return holders.Count;
            }
        }
    }

    /// <summary>
    /// §8.5, §8.6: whether <paramref name="provider"/>'s status, asked now, lists a shard
    /// containing <paramref name="shard"/>. A record outlives the provide of a node that moved
    /// (§8.3: it stops republishing; the record expires later), so a provider of (0, 0) that has
    /// since deepened answers status but holds only part of it.
    /// </summary>
    private async Task<bool> HoldsAsync(KadPeer provider, ShardId shard, CancellationToken cancellationToken)
    {
        var peer = PeerId.FromBytes(provider.Id.Span);
        try
        {
            PeerShards.Record(peer, await ProviderVerifier.StatusAsync(Host, _statusClient, provider, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A probe of a remote peer: whatever went wrong there, it is not counted as a holder.
            return false;
        }
        return PeerShards.Find(peer) is { } theirs && theirs.Shards.Shards.Any(s => s.Contains(shard));
    }

    /// <summary>§11.8.6 per shard: the replicas of the node's least-held shard, itself included.</summary>
    private async Task<int> CountShardReplicasAsync(CancellationToken cancellationToken)
    {
        int fewest = int.MaxValue;
        foreach (ShardId shard in HeldShards.Shards)
        {
            // Up to as many as one lookup returns, so the shard_providers gauge shows more than "enough".
            fewest = Math.Min(fewest, 1 + await CountHoldersAsync(shard, ProviderVerifier.ReplicaCandidates, cancellationToken));
        }
        return fewest;
    }

    /// <summary>§8.5: deletes what the node holds of a shard it left, a batch per write.</summary>
    private void DropShard(ShardId shard)
    {
        int total = 0;
        int dropped;
        do
        {
            dropped = Store.DropTags(tag => shard.Covers(tag) && !HeldShards.Holds(tag), _options.Shards.DropBatch);
            total += dropped;
        }
        while (dropped > 0);
        _logger.DroppedShard(shard.ToString(), total);
    }

    private int LoadDepth()
    {
        try
        {
            string path = Path.Combine(_options.DataDirectory, ShardStateFile);
            if (!File.Exists(path))
            {
                return 0;
            }
            using JsonDocument state = JsonDocument.Parse(File.ReadAllText(path));
            return state.RootElement.GetProperty("depth").GetInt32() is var depth and >= 0 and <= ShardId.MaxBits ? depth : 0;
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            _logger.ShardStepFailed("shards.json unreadable, starting at depth 0: " + ex.Message);
            return 0;
        }
    }

    private void SaveDepth(int depth)
    {
        try
        {
            string path = Path.Combine(_options.DataDirectory, ShardStateFile);
            File.WriteAllText(path + ".tmp", $"{{\"depth\":{depth}}}\n");
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (IOException ex)
        {
            _logger.ShardStepFailed("shards.json not written: " + ex.Message);
        }
    }
}
