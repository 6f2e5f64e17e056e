using System.Diagnostics;
using Nnrp.Client.Network;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.RoutingTable;
using Nnrp.Node.Gossip;
using Nnrp.Node.Shards;
using Nnrp.Node.Sync;
using Nnrp.Simulation.Dht;
using Nnrp.Simulation.Engine;
using Nnrp.Simulation.Gossip;
using Nnrp.Simulation.Load;
using Nnrp.Simulation.Sync;
using Nnrp.Simulation.Walk;

namespace Nnrp.Simulation;

/// <summary>
/// One run: N nodes form the DHT by joining through bootstrap peers, take their shards, provide
/// them and build their topic meshes (setup, not measured); then for <see cref="SimulationSettings.Duration"/>
/// of virtual time the load is published while 10 % of the nodes an hour leave and come back;
/// at the end a sample of wallets is restored from the seed and fetches. See docs/SCALE.md
/// "Simulation" for what is the production code and what is modelled.
/// </summary>
internal sealed class Simulation
{
    /// <summary>A publish or fetch request that is not answered in this time has failed (modelled client timeout).</summary>
    private static readonly long RequestTimeoutUs = (long)TimeSpan.FromSeconds(10).TotalMicroseconds;

    /// <summary>/nnrp/1.0 publish framing beside the notification, and the signed receipt (§11.6: hash, expiry, Ed25519 signature).</summary>
    private const int PublishOverheadBytes = 60;
    private const int ReceiptBytes = 130;

    /// <summary>One sync session (§11.8) that finds nothing missing: a reconcile request and answer of 16 range fingerprints each way (modelled).</summary>
    private const int SyncSessionBytes = 1536;

    private const int FetchParallel = 3;

    /// <summary>A wallet whose publish got fewer than 3 receipts tries again this much later, this many times in all (modelled).</summary>
    private const int MaxPublishAttempts = 5;
    private static readonly long PublishRetryUs = (long)TimeSpan.FromMinutes(1).TotalMicroseconds;

    private readonly SimulationSettings _settings;
    private readonly Random _random;
    private readonly EventQueue _queue = new();
    private readonly Links _links;
    private readonly Traffic _traffic;
    private readonly SimNode[] _nodes;
    private readonly Workload _load;
    private readonly DhtNetwork _dht;
    private readonly HolderWalk _walk;
    private readonly SyncOptions _sync = new();
    private readonly Dictionary<ShardId, int> _exactHolders = [];
    private GossipNetwork _gossip = null!;

    /// <summary>Router mode: the production routers carry the topics; <see cref="_gossip"/> then only says who joined which topic.</summary>
    private RouterGossipNetwork? _routers;

    /// <summary>Real sync mode: the production sync state machines on every node (needs the routers, which know what each node stores).</summary>
    private SyncNetwork? _syncs;

    private readonly VirtualTime _time;

    private long _t0;
    private long[] _published = [];
    private double _traceRate = 1, _walkRate = 1;
    private readonly HashSet<int> _watched = [];
    private readonly Dictionary<int, List<int>> _messagesOf = [];
    private readonly Dictionary<int, List<int>> _tracedHolders = [];
    private readonly List<double> _publishLatencyMs = [];
    private int _walks, _walkSuccesses, _traced, _churned, _publishRetries;
    private readonly List<double> _fetchFound = [];
    private int _fetchComplete;

    private Simulation(SimulationSettings settings)
    {
        _settings = settings;
        _random = new Random(settings.Seed);
        _links = new Links(settings, _random);
        _traffic = new Traffic(settings.Nodes);
        _load = new Workload(settings, _random);
        var time = new VirtualTime(_queue);
        _time = time;
        _nodes = new SimNode[settings.Nodes];
        for (int i = 0; i < _nodes.Length; i++)
        {
            byte[] id = SimNode.RandomPeerId(_random);
            long budget = settings.Sharded ? settings.BudgetsBytes[_random.Next(settings.BudgetsBytes.Length)] : 0;
            ShardSet shards = settings.Sharded ? new ShardSet([ShardId.Home(id, ConvergedDepth(budget))]) : ShardSet.Full;
            _nodes[i] = new SimNode(i, id, new KadRoutingTable(KadKey.Hash(id), time: time), shards, budget);
        }
        _dht = new DhtNetwork(_nodes, _queue, _links, _traffic, _random);
        _walk = new HolderWalk(_nodes, _dht, _queue, _links, _traffic);
    }

    public static RunResult Run(SimulationSettings settings) => new Simulation(settings).Execute();

    /// <summary>§8.2 applied until it stays: the depth an `auto` node reaches once every node reports the true V (the median of honest reports).</summary>
    private int ConvergedDepth(long budget)
    {
        int depth = 0;
        for (int step = 0; step <= ShardId.MaxBits; step++)
        {
            int next = DepthPlanner.Plan(depth, (ulong)_load.Volume, budget);
            if (next == depth)
            {
                break;
            }
            depth = next;
        }
        return depth;
    }

    private RunResult Execute()
    {
        var wall = Stopwatch.StartNew();
        foreach (SimNode node in _nodes)
        {
            foreach (ShardId shard in node.Shards.Shards)
            {
                _exactHolders[shard] = _exactHolders.GetValueOrDefault(shard) + 1;
            }
        }
        if (_settings.Sharded)
        {
            Repair();
        }
        foreach (SimNode node in _nodes)
        {
            node.BacklogBytes = node.Shards.Shards.Sum(_load.BacklogBytes);
        }
        JoinDht();
        ProvideAll();
        _gossip = new GossipNetwork(_nodes, NotificationGossip.DefaultOptions(), _settings, _links, _traffic, _random);
        if (_settings.Gossip == GossipMode.Real)
        {
            _routers = new RouterGossipNetwork(_nodes, _settings, _queue, _links, _traffic, _random, Stored);
            _queue.RunUntil(_queue.Now + (long)_settings.GossipWarmUp.TotalMicroseconds);
        }

        _traffic.Reset();
        _routers?.Sent.Reset();
        _dht.Measuring = true;
        _t0 = _queue.Now;
        ScheduleLoad();
        if (_settings.Sync == SyncMode.Real)
        {
            _syncs = new SyncNetwork(_nodes, _load, _published, _queue, _links, _traffic, _random, _routers!, Stored, _time, _sync with { RecentWindow = _settings.SyncRecentWindow ?? _sync.RecentWindow });
            _syncs.Start(end: _t0 + (long)_settings.Duration.TotalMicroseconds);
        }
        ScheduleChurn();
        ScheduleRefresh(end: _t0 + (long)_settings.Duration.TotalMicroseconds);
        long end = _t0 + (long)_settings.Duration.TotalMicroseconds;
        // Router mode: heartbeats stop once the window's delivery checks are done (the retries
        // after it still spread by flood publishing and the meshes; fetches need no gossip).
        _routers?.StopHeartbeatsAt(end + (long)RouterGossipNetwork.DeliveryWindow.TotalMicroseconds);
        _queue.RunUntil(end);
        double hours = _settings.Duration.TotalHours;
        if (_syncs is null)
        {
            AddIdleSync(hours);
        }
        var stored = _nodes.Select(static n => n.BacklogBytes + n.ReceivedBytes).ToArray();
        var gossip = _nodes.Select(n => _traffic.Total(TrafficKind.Gossip, n.Index) / hours).ToArray();
        RouterTraffic? routerSent = _routers?.Sent.Copy();
        var total = _nodes.Select(n => _traffic.Total(n.Index) / hours).ToArray();
        double dht = _nodes.Average(n => _traffic.Total(TrafficKind.Dht, n.Index)) / hours;
        double sync = _nodes.Average(n => _traffic.Total(TrafficKind.Sync, n.Index)) / hours;
        var hops = _dht.Hops.Select(static h => (double)h).ToArray();
        double queries = _dht.Queries.Count == 0 ? double.NaN : _dht.Queries.Average();

        // Retries still waiting at the end would land after the window: let them finish first.
        _queue.RunUntil(end + (PublishRetryUs * MaxPublishAttempts));
        int minTraced = _watched.SelectMany(r => _messagesOf[r]).Select(i => TracedHolders(i).Count).DefaultIfEmpty(0).Min();
        SyncFigures? syncFigures = null;
        if (_syncs is { } syncs)
        {
            (int missing, int available) = syncs.StillMissing();
            syncFigures = new SyncFigures(syncs.Sessions, syncs.WholeSessions, syncs.PeriodicSessions, syncs.PeriodicRounds, syncs.Rounds, syncs.HistoryRounds, syncs.IncompleteSessions, syncs.FailedSessions,
                syncs.StatusRequests, syncs.Pulled, syncs.Offered, syncs.CatchUpsStarted, syncs.CatchUpsDone, Percentiles.Of(syncs.CatchUpSeconds),
                missing, available);
        }
        RestoreWallets(end);
        return new RunResult
        {
            Nodes = _nodes.Length,
            Sharded = _settings.Sharded,
            Gossip = _settings.Gossip,
            VolumeBytes = _load.Volume,
            NotificationBytes = _load.NotificationBytes,
            Published = _load.Arrivals.Count,
            MeanDepth = _nodes.Average(static n => n.DeepestBits),
            MaxDepth = _nodes.Max(static n => n.DeepestBits),
            MeanTopics = _nodes.Average(n => _gossip.TopicCount(n.Index)),
            MinShardHolders = MinHolders(),
            StoredBytes = Percentiles.Of(stored),
            GossipBytesPerHour = Percentiles.Of(gossip),
            TotalBytesPerHour = Percentiles.Of(total),
            DhtBytesPerHourMean = dht,
            SyncBytesPerHourMean = sync,
            PublishLatencyMs = Percentiles.Of(_publishLatencyMs),
            PublishSuccess = _walks == 0 ? double.NaN : (double)_walkSuccesses / _walks,
            Walks = _walks,
            LookupHops = Percentiles.Of(hops),
            MeanQueriesPerLookup = queries,
            FetchFound = _fetchFound.Count == 0 ? double.NaN : _fetchFound.Average(),
            FetchComplete = _fetchFound.Count == 0 ? double.NaN : (double)_fetchComplete / _fetchFound.Count,
            Wallets = _fetchFound.Count,
            MinTracedHolders = minTraced,
            PublishRetries = _publishRetries,
            OverBudgetNodes = _nodes.Count(n => n.Budget > 0 && n.BacklogBytes + n.ReceivedBytes > n.Budget),
            OverBudgetWithoutRepair = _nodes.Count(n => n.Budget > 0 && n.BacklogBytes + n.ReceivedBytes > n.Budget && n.Shards.Shards.Count == 1),
            TracedFraction = _routers is not null ? 1 : _load.Arrivals.Count == 0 ? 0 : (double)_traced / _load.Arrivals.Count,
            HolderDelivery = _routers is null || _routers.HoldersExpected == 0 ? double.NaN : (double)_routers.HoldersReached / _routers.HoldersExpected,
            MessagesOutsideTopics = _routers?.MessagesOutsideTopics ?? 0,
            RouterSent = routerSent,
            SyncReal = syncFigures,
            Churned = _churned,
            WallSeconds = wall.Elapsed.TotalSeconds,
        };
    }

    // ---- setup -------------------------------------------------------------------------

    /// <summary>
    /// §8.6 repair, run as the first hour of evaluations would: a node with room for one more
    /// shard at its depth or a few bits deeper (<see cref="DepthPlanner.RepairDepth"/> with V̂ = V)
    /// checks a random shard at that depth and takes it up (at most 4) when it has fewer than 3
    /// holders, counting holders of every shard that contains it.
    /// </summary>
    private void Repair()
    {
        var taken = new int[_nodes.Length];
        for (int round = 0; round < 6; round++)
        {
            foreach (SimNode node in _nodes.OrderBy(_ => _random.Next()).ToArray())
            {
                int depth = node.Shards.Shards[0].Bits;
                double stored = node.Shards.Shards.Sum(_load.BacklogBytes);
                if (depth == 0 || taken[node.Index] >= 4
                    || DepthPlanner.RepairDepth((long)stored, (ulong)_load.Volume, depth, node.Budget) is not { } repairDepth)
                {
                    continue;
                }
                var candidate = new ShardId(repairDepth, (uint)_random.Next(1 << repairDepth));
                if (node.Shards.Shards.Any(s => s.Overlaps(candidate)) || Holders(candidate) >= _sync.SafeProviders)
                {
                    continue;
                }
                node.Shards = new ShardSet([.. node.Shards.Shards, candidate]);
                _exactHolders[candidate] = _exactHolders.GetValueOrDefault(candidate) + 1;
                taken[node.Index]++;
            }
        }
    }

    private int Holders(ShardId shard)
    {
        int count = 0;
        for (int b = 0; b <= shard.Bits; b++)
        {
            count += _exactHolders.GetValueOrDefault(new ShardId(b, shard.Index >> (shard.Bits - b)));
        }
        return count;
    }

    /// <summary>
    /// The fewest holders of any tag (the replication rule wants 3): the holders of every shard at
    /// the deepest depth any node holds (repair shards included), each counting the holders of
    /// every shard that contains it.
    /// </summary>
    private int MinHolders()
    {
        int min = int.MaxValue;
        int deepest = _nodes.Max(static n => n.Shards.Shards.Max(static s => s.Bits));
        for (uint i = 0; i < 1u << deepest; i++)
        {
            min = Math.Min(min, Holders(new ShardId(deepest, i)));
        }
        return min;
    }

    /// <summary>
    /// Nodes join one after another: each knows the bootstrap peers (and they it, once it has
    /// talked to them), looks itself up, then looks up one random key — the real lookup filling
    /// the real tables as in a live network.
    /// </summary>
    private void JoinDht()
    {
        int bootstrap = Math.Min(_settings.BootstrapPeers, _nodes.Length);
        for (int j = 0; j < _nodes.Length; j++)
        {
            for (int b = 0; b < Math.Min(j, bootstrap); b++)
            {
                _nodes[j].Table.TryAdd(_nodes[b].Peer);
                _nodes[b].Table.TryAdd(_nodes[j].Peer);
            }
            _dht.Lookup(j, _nodes[j].Peer.Key, providers: false, 0, static _ => { });
            _queue.RunAll();
        }
        var key = new byte[KadKey.Length];
        for (int j = 0; j < _nodes.Length; j++)
        {
            _random.NextBytes(key);
            KadKey target = KadKey.FromDigest(key);
            int node = j;
            _queue.After(_random.NextInt64(60_000_000), () => _dht.Lookup(node, target, providers: false, 0, static _ => { }));
        }
        _queue.RunAll();
    }

    private void ProvideAll()
    {
        foreach (SimNode node in _nodes)
        {
            foreach (ShardId shard in node.Shards.Shards)
            {
                KadKey key = _walk.KeyOf(shard);
                int index = node.Index;
                _queue.After(_random.NextInt64(60_000_000), () => _dht.Provide(index, key));
            }
        }
        _queue.RunAll();
    }

    // ---- load --------------------------------------------------------------------------

    private void ScheduleLoad()
    {
        List<Arrival> arrivals = _load.Arrivals;
        _published = arrivals.Select(a => _t0 + a.Time).ToArray();
        for (int i = 0; i < arrivals.Count; i++)
        {
            if (!_messagesOf.TryGetValue(arrivals[i].Recipient, out List<int>? list))
            {
                _messagesOf[arrivals[i].Recipient] = list = [];
            }
            list.Add(i);
        }
        foreach (int r in _messagesOf.Keys.OrderBy(_ => _random.Next()).Take(_settings.RestoredWallets))
        {
            _watched.Add(r);
        }
        // Tracing a message costs a visit per subscriber of its topic: sample beyond the budget.
        double cost = arrivals.Sum(a => (double)_gossip.Mesh(Workload.Topic(_load.Tags[a.Recipient])).Members.Length);
        _traceRate = Math.Min(1, _settings.GossipTraceBudget / Math.Max(1, cost));
        _walkRate = Math.Min(1, _settings.WalkedPublishes / Math.Max(1.0, arrivals.Count));
        for (int i = 0; i < arrivals.Count; i++)
        {
            int index = i;
            _queue.At(_published[i], () => Publish(index));
        }
    }

    private void Publish(int index)
    {
        uint tag = _load.Tags[_load.Arrivals[index].Recipient];
        if (_random.NextDouble() < _walkRate)
        {
            _walks++;
            Walk(index, new PublishAttempt(sampled: true));
            return;
        }
        // Not walked: the publish lands on 3 random online holders, as a walk would find them.
        var sources = new List<(int, long)>();
        TopicMesh mesh = _gossip.Mesh(Workload.Topic(tag));
        for (int attempt = 0; attempt < 64 && sources.Count < HolderSearch.MinPublishHolders; attempt++)
        {
            int n = mesh.Members[_random.Next(mesh.Members.Length)];
            if (_nodes[n].Online && _nodes[n].Holds(tag) && !sources.Exists(s => s.Item1 == n))
            {
                sources.Add((n, _queue.Now + _links.ClientLatency(n)));
                HolderTook(index, n, sources[^1].Item2);
                _traffic.Add(TrafficKind.Client, -1, n, _load.NotificationBytes + PublishOverheadBytes);
                _traffic.Add(TrafficKind.Client, n, -1, ReceiptBytes);
            }
        }
        if (sources.Count < HolderSearch.MinPublishHolders)
        {
            // Fewer than 3 online holders picked at random: the wallet would be walking anyway.
            var attempt = new PublishAttempt(sampled: false);
            attempt.Holders.AddRange(sources);
            attempt.Receipts = sources.Count;
            Walk(index, attempt);
            return;
        }
        Spread(index, sources);
    }

    private void Walk(int index, PublishAttempt attempt)
    {
        int origin = RandomOnline();
        uint tag = _load.Tags[_load.Arrivals[index].Recipient];
        _walk.Run(origin, tag, HolderSearch.MinPublishHolders, attempt.Sampled ? 1 / _walkRate : 1, result => SendPublish(index, origin, result, attempt));
    }

    /// <summary>
    /// §8.4 "Publish": to 3 candidates at once, each failure replaced by the next, until 3
    /// receipts. A partial result (fewer holders reachable) makes the sending wallet try again
    /// a minute later with a new walk (modelled: up to <see cref="MaxPublishAttempts"/> tries);
    /// receipts already got count. Gossip starts from every holder that took it.
    /// </summary>
    private void SendPublish(int index, int origin, WalkResult walk, PublishAttempt attempt)
    {
        int next = 0, pending = 0;
        double weight = attempt.Sampled ? 1 / _walkRate : 1;
        void Launch()
        {
            while (pending + attempt.Receipts < HolderSearch.MinPublishHolders && next < walk.Holders.Count)
            {
                int node = walk.Holders[next++];
                if (attempt.Holders.Exists(h => h.Node == node))
                {
                    continue;
                }
                pending++;
                long there = _links.ClientTransit(origin, node);
                _traffic.Add(TrafficKind.Client, -1, node, weight * (_load.NotificationBytes + PublishOverheadBytes));
                if (_nodes[node].Online)
                {
                    attempt.Holders.Add((node, _queue.Now + there));
                    HolderTook(index, node, _queue.Now + there);
                    _traffic.Add(TrafficKind.Client, node, -1, weight * ReceiptBytes);
                    long back = _links.ClientTransit(origin, node);
                    _queue.After(there + back + (long)_settings.ValidationDelay.TotalMicroseconds, () => Resolve(true));
                }
                else
                {
                    _queue.After(_links.Refused(origin, node, RequestTimeoutUs), () => Resolve(false));
                }
            }
            if (pending > 0)
            {
                return;
            }
            if (attempt.Receipts < HolderSearch.MinPublishHolders && attempt.Number < MaxPublishAttempts)
            {
                attempt.Number++;
                _publishRetries++;
                _queue.After(PublishRetryUs, () =>
                {
                    int retryOrigin = RandomOnline();
                    _walk.Run(retryOrigin, _load.Tags[_load.Arrivals[index].Recipient], HolderSearch.MinPublishHolders, weight, r => SendPublish(index, retryOrigin, r, attempt));
                });
                return;
            }
            Spread(index, attempt.Holders);
        }
        void Resolve(bool receipt)
        {
            pending--;
            if (receipt && ++attempt.Receipts == HolderSearch.MinPublishHolders && attempt.Number == 1 && attempt.Sampled)
            {
                _walkSuccesses++;
                _publishLatencyMs.Add((_queue.Now - walk.Started) / 1000.0);
            }
            Launch();
        }
        Launch();
    }

    /// <summary>One notification's publish across the wallet's tries.</summary>
    private sealed class PublishAttempt(bool sampled)
    {
        public bool Sampled { get; } = sampled;

        public int Number { get; set; } = 1;

        public int Receipts { get; set; }

        public List<(int Node, long Time)> Holders { get; } = [];
    }

    /// <summary>
    /// A holder got the publish at <paramref name="at"/>. Router mode: it stores and publishes to
    /// the topic once it has validated it (§8.3); the model spreads from all holders in <see cref="Spread"/>.
    /// </summary>
    private void HolderTook(int index, int node, long at)
    {
        if (_routers is null)
        {
            return;
        }
        uint tag = _load.Tags[_load.Arrivals[index].Recipient];
        _queue.At(at + (long)_settings.ValidationDelay.TotalMicroseconds, () => _routers.TakePublish(node, index, tag));
    }

    /// <summary>A node stored notification <paramref name="index"/> (by gossip or a publish it took): its store grows, and a restored wallet will find it there.</summary>
    private void Stored(int node, int index)
    {
        _nodes[node].ReceivedBytes += _load.NotificationBytes;
        _syncs?.Add(node, index);
        if (_watched.Contains(_load.Arrivals[index].Recipient) && _nodes[node].Traced.Add(index))
        {
            TracedHolders(index).Add(node);
        }
    }

    private void Spread(int index, List<(int Node, long Time)> sources)
    {
        if (_routers is not null)
        {
            return; // every holder that took it has published it through its router (HolderTook)
        }
        int recipient = _load.Arrivals[index].Recipient;
        uint tag = _load.Tags[recipient];
        int size = _load.NotificationBytes;
        bool sampled = _random.NextDouble() < _traceRate;
        bool watched = _watched.Contains(recipient);
        if (sampled || watched)
        {
            _traced++;
            _gossip.Disseminate(tag, size, sources, sampled ? 1 / _traceRate : 0, (n, _) =>
            {
                _nodes[n].ReceivedBytes += size;
                if (watched && _nodes[n].Traced.Add(index))
                {
                    TracedHolders(index).Add(n);
                }
            });
            return;
        }
        foreach (int n in _gossip.Mesh(Workload.Topic(tag)).Members)
        {
            if (_nodes[n].Online && _nodes[n].Holds(tag))
            {
                _nodes[n].ReceivedBytes += size;
            }
        }
    }

    private List<int> TracedHolders(int index)
    {
        if (!_tracedHolders.TryGetValue(index, out List<int>? list))
        {
            _tracedHolders[index] = list = [];
        }
        return list;
    }

    // ---- DHT upkeep --------------------------------------------------------------------

    /// <summary>
    /// The routing table's own upkeep (kad-dht "Bootstrap process"): every
    /// <see cref="RoutingTableOptions.RefreshInterval"/> a node looks up a random key in each
    /// bucket <see cref="KadRoutingTable.BucketsDueForRefresh"/> names. Run by a sample of the
    /// nodes (<see cref="SimulationSettings.RefreshSample"/>), weighted.
    /// </summary>
    private void ScheduleRefresh(long end)
    {
        long interval = (long)new RoutingTableOptions().RefreshInterval.TotalMicroseconds;
        double weight = 1 / _settings.RefreshSample;
        foreach (SimNode node in _nodes)
        {
            if (_random.NextDouble() >= _settings.RefreshSample)
            {
                continue;
            }
            for (long at = _t0 + _random.NextInt64(interval); at < end; at += interval)
            {
                _queue.At(at, () => Refresh(node, weight));
            }
        }
    }

    private void Refresh(SimNode node, double weight)
    {
        if (!node.Online)
        {
            return;
        }
        foreach (int bucket in node.Table.BucketsDueForRefresh())
        {
            KadKey target = KeyInBucket(node.Table.LocalKey, bucket);
            _dht.Lookup(node.Index, target, providers: false, 0, _ => node.Table.MarkRefreshed(target), weight);
        }
    }

    /// <summary>A key sharing exactly <paramref name="bucket"/> leading bits with <paramref name="local"/> (the simulation needs no preimage: it routes by key).</summary>
    private KadKey KeyInBucket(KadKey local, int bucket)
    {
        byte[] key = local.ToBytes();
        byte[] noise = new byte[KadKey.Length];
        _random.NextBytes(noise);
        for (int bit = bucket; bit < KadKey.Bits; bit++)
        {
            int mask = 0x80 >> (bit % 8);
            bool value = bit == bucket ? (key[bit / 8] & mask) == 0 : (noise[bit / 8] & mask) != 0;
            key[bit / 8] = (byte)(value ? key[bit / 8] | mask : key[bit / 8] & ~mask);
        }
        return KadKey.FromDigest(key);
    }

    // ---- churn -------------------------------------------------------------------------

    private void ScheduleChurn()
    {
        long duration = (long)_settings.Duration.TotalMicroseconds;
        int count = (int)Math.Round(_settings.ChurnPerHour * _nodes.Length * _settings.Duration.TotalHours);
        long minOff = (long)_settings.MinOffline.TotalMicroseconds, maxOff = (long)_settings.MaxOffline.TotalMicroseconds;
        for (int k = 0; k < count; k++)
        {
            int node = _random.Next(_nodes.Length);
            long off = _random.NextInt64(minOff, maxOff);
            _queue.At(_t0 + _random.NextInt64(duration), () => Leave(node, off));
        }
    }

    private void Leave(int node, long offline)
    {
        SimNode n = _nodes[node];
        if (!n.Online)
        {
            return;
        }
        _churned++;
        n.Online = false;
        n.OfflineSince = _queue.Now;
        _syncs?.Leave(node);
        if (_routers is not null)
        {
            _routers.Leave(node);
        }
        else
        {
            _gossip.Leave(node);
        }
        _queue.After(offline, () => Return(node));
    }

    /// <summary>Back with its store and routing table: it regrafts, provides its shards again and syncs what it missed (§11.8).</summary>
    private void Return(int node)
    {
        SimNode n = _nodes[node];
        n.Online = true;
        long since = n.OfflineSince, back = _queue.Now;
        if (_routers is not null)
        {
            _routers.Return(node);
        }
        else
        {
            _gossip.Return(node);
        }
        foreach (ShardId shard in n.Shards.Shards)
        {
            _dht.Provide(node, _walk.KeyOf(shard));
        }
        if (_syncs is not null)
        {
            _syncs.Return(node, since);
            return;
        }
        _queue.After(_random.NextInt64((long)_sync.Interval.TotalMicroseconds), () => CatchUp(node, since, back));
    }

    /// <summary>
    /// Sync (modelled): the first session with a peer of its shards moves everything of its
    /// shards published while it was away; a traced notification comes only if an online node
    /// other than itself holds it.
    /// </summary>
    private void CatchUp(int node, long since, long back)
    {
        SimNode n = _nodes[node];
        if (!n.Online)
        {
            return;
        }
        int first = SortedTimes.LowerBound(_published, since), last = SortedTimes.LowerBound(_published, back);
        double bytes = 0;
        for (int i = first; i < last; i++)
        {
            int recipient = _load.Arrivals[i].Recipient;
            if (!n.Holds(_load.Tags[recipient]) || (_routers is not null && !_routers.MarkStored(node, i)))
            {
                continue; // not of its shards, or gossip brought it after the return
            }
            bytes += _load.NotificationBytes;
            if (_watched.Contains(recipient) && !n.Traced.Contains(i) && TracedHolders(i).Exists(h => h != node && _nodes[h].Online))
            {
                n.Traced.Add(i);
                TracedHolders(i).Add(node);
            }
        }
        n.ReceivedBytes += bytes;
        int source = SyncPeer(node);
        _traffic.Add(TrafficKind.Sync, source, node, bytes + SyncSessionBytes);
        _traffic.Add(TrafficKind.Sync, node, source, SyncSessionBytes);
    }

    private int SyncPeer(int node)
    {
        for (int attempt = 0; attempt < 32; attempt++)
        {
            TopicMesh mesh = _gossip.Mesh(_random.Next(GossipNetwork.Topics));
            if (mesh.Members.Length > 0)
            {
                int peer = mesh.Members[_random.Next(mesh.Members.Length)];
                if (peer != node && _nodes[peer].Online && _nodes[peer].Shards.Shards.Any(s => _nodes[node].Shards.Shards.Any(s.Overlaps)))
                {
                    return peer;
                }
            }
        }
        return -1;
    }

    /// <summary>The steady sync rounds (§11.8.7: every Interval with PeersPerRound peers, one session per shard) that find nothing new.</summary>
    private void AddIdleSync(double hours)
    {
        double rounds = hours * 3600 / _sync.Interval.TotalSeconds;
        foreach (SimNode node in _nodes)
        {
            double bytes = rounds * _sync.PeersPerRound * node.Shards.Shards.Count * SyncSessionBytes;
            _traffic.Add(TrafficKind.Sync, node.Index, node.Index, bytes);
        }
    }

    // ---- restore -----------------------------------------------------------------------

    /// <summary>Each restored wallet walks for holders (wanted 2) and reads 3 at once, replacing failures (§8.4 "Fetch").</summary>
    private void RestoreWallets(long end)
    {
        int k = 0;
        foreach (int recipient in _watched)
        {
            int r = recipient;
            _queue.At(end + (k++ * 1000), () =>
            {
                int origin = RandomOnline();
                _walk.Run(origin, _load.Tags[r], HolderSearch.MinFetchHolders, 1, result => Fetch(r, origin, result));
            });
        }
        _queue.RunUntil(end + (long)TimeSpan.FromMinutes(10).TotalMicroseconds);
    }

    private void Fetch(int recipient, int origin, WalkResult walk)
    {
        var answered = new List<int>();
        int next = 0, pending = 0;
        bool finished = false;
        void Launch()
        {
            while (pending + answered.Count < FetchParallel && next < walk.Holders.Count)
            {
                int node = walk.Holders[next++];
                pending++;
                bool ok = _nodes[node].Online;
                _queue.After(ok ? _links.ClientTransit(origin, node) + _links.ClientTransit(origin, node) : _links.Refused(origin, node, RequestTimeoutUs), () =>
                {
                    pending--;
                    if (ok)
                    {
                        answered.Add(node);
                    }
                    Launch();
                });
            }
            if (pending == 0 && !finished)
            {
                finished = true;
                List<int> messages = _messagesOf[recipient];
                int found = messages.Count(i => answered.Exists(a => _nodes[a].Traced.Contains(i)));
                _fetchFound.Add((double)found / messages.Count);
                if (answered.Count >= HolderSearch.MinFetchHolders)
                {
                    _fetchComplete++;
                }
            }
        }
        Launch();
    }

    // ---- helpers -----------------------------------------------------------------------

    private int RandomOnline()
    {
        while (true)
        {
            int n = _random.Next(_nodes.Length);
            if (_nodes[n].Online)
            {
                return n;
            }
        }
    }
}
