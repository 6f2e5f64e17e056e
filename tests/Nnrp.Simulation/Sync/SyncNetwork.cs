using Nnrp.Libp2p.Identity;
using Nnrp.Node.Shards;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;
using Nnrp.Simulation.Engine;
using Nnrp.Simulation.Gossip;
using Nnrp.Simulation.Load;
using Nnrp.Simulation.Walk;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Simulation.Sync;

/// <summary>
/// <c>--sync real</c>: §11.8 on every node with the production state machines — each session is
/// a <see cref="SyncSession"/> (recent tiers first, chunks, budgets) answered by the peer's
/// <see cref="SyncResponder"/> over its own items, every reconcile and get an exchange over the
/// links at its protobuf size; each node's <see cref="SessionLedger"/> (per-peer interval,
/// resume) on the virtual clock. The schedule is <c>SyncService</c>'s (§11.8.7): sessions when a
/// connection is identified (both sides, so a returning node syncs with every online
/// connection and they with it) and every 30 s with 3 random connected peers; 2 sessions at
/// once, at most 256 waiting; a peer's shards from a status request, fresh for 30 min
/// (<see cref="PeerShardBook.FreshFor"/>); one session per overlap of the two shard sets
/// (§11.8.8); pulls of 96 through the node's store (duplicates are not stored twice); offers
/// while fewer than 3 online holders hold one of its shards (§11.8.6, checked every 5 min).
/// <para>
/// What a node stores is what the real routers, publishes and pulls gave it during the window
/// (<see cref="NodeSyncSet"/>); the backlog before it, equal on both sides, is charged per
/// session by <see cref="ConvergedHistory"/>. The responder's rate limits and node-wide slots
/// are not simulated (honest peers stay far under them: 2 sessions a node, one request at a time).
/// </para>
/// </summary>
internal sealed class SyncNetwork
{
    /// <summary>A publish on its own stream (§11.6) and its signed receipt, as the simulation's publishes count them.</summary>
    private const int OfferBytes = 60 + 130;

    private readonly SimNode[] _nodes;
    private readonly Workload _load;
    private readonly EventQueue _queue;
    private readonly Links _links;
    private readonly Traffic _traffic;
    private readonly Random _random;
    private readonly RouterGossipNetwork _routers;
    private readonly Action<int, int> _stored;
    private readonly TimeProvider _time;
    private readonly SyncOptions _options;
    private readonly ConvergedHistory _history;
    private readonly NodeState[] _state;
    private readonly TimeKey[] _keys;
    private readonly long[] _published;
    private readonly Dictionary<ShardId, List<int>> _holdersOf = [];
    private readonly Dictionary<int, CatchUp> _catchUps = [];
    private readonly List<double> _catchUpSeconds = [];
    private readonly long _statusFreshUs = (long)PeerShardBook.FreshFor.TotalMicroseconds;
    private readonly long _timeoutUs;
    private long _t0;

    public SyncNetwork(SimNode[] nodes, Workload load, long[] published, EventQueue queue, Links links, Traffic traffic, Random random,
        RouterGossipNetwork routers, Action<int, int> stored, TimeProvider time, SyncOptions options)
    {
        _options = options;
        _nodes = nodes;
        _load = load;
        _published = published;
        _queue = queue;
        _links = links;
        _traffic = traffic;
        _random = random;
        _routers = routers;
        _stored = stored;
        _time = time;
        _history = new ConvergedHistory(new Random(random.Next()));
        _timeoutUs = (long)_options.SessionTimeout.TotalMicroseconds;
        _keys = new TimeKey[published.Length];
        for (int i = 0; i < published.Length; i++)
        {
            _keys[i] = ItemKeys.Of(i, VirtualTime.At(published[i]));
        }
        _state = new NodeState[nodes.Length];
        for (int n = 0; n < nodes.Length; n++)
        {
            _state[n] = new NodeState(PeerId.FromBytes(nodes[n].Peer.Id.Span), new NodeSyncSet(Top16Of), new SessionLedger(_options, time));
            foreach (ShardId shard in nodes[n].Shards.Shards)
            {
                if (!_holdersOf.TryGetValue(shard, out List<int>? list))
                {
                    _holdersOf[shard] = list = [];
                }
                list.Add(n);
            }
        }
    }

    /// <summary>Sessions run, one per shard overlap (§11.8.8).</summary>
    public long Sessions { get; private set; }

    /// <summary>Sessions that covered everything (on a connection, or a shard not yet synced whole).</summary>
    public long WholeSessions { get; private set; }

    /// <summary>Sessions the 30 s tick started, and their rounds (history included): what a converged node pays all the time.</summary>
    public long PeriodicSessions { get; private set; }

    public long PeriodicRounds { get; private set; }

    public long Rounds { get; private set; }

    /// <summary>Rounds charged for converged history (<see cref="ConvergedHistory"/>).</summary>
    public long HistoryRounds { get; private set; }

    /// <summary>Sessions that ended on a peer that went away.</summary>
    public long FailedSessions { get; private set; }

    /// <summary>Sessions that stopped on their round or time budget with ranges still open.</summary>
    public long IncompleteSessions { get; private set; }

    public long StatusRequests { get; private set; }

    /// <summary>Notifications stored because a pull brought them (not duplicates).</summary>
    public long Pulled { get; private set; }

    public long Offered { get; private set; }

    /// <summary>Returns that had missed notifications of their shards, and those that got every one of them back by sync.</summary>
    public int CatchUpsStarted { get; private set; }

    public int CatchUpsDone { get; private set; }

    /// <summary>Seconds from a return to holding every notification of its shards published while it was away.</summary>
    public IReadOnlyList<double> CatchUpSeconds => _catchUpSeconds;

    /// <summary>Notifications missed while away and still missing at the end, and of those the ones an online node had.</summary>
    public (int Missing, int Available) StillMissing()
    {
        int missing = 0, available = 0;
        foreach ((int node, CatchUp c) in _catchUps)
        {
            missing += c.Remaining.Count;
            available += c.Remaining.Count(i => Enumerable.Range(0, _nodes.Length).Any(h => h != node && _nodes[h].Online && _routers.Stores(h, i)));
        }
        return (missing, available);
    }

    /// <summary>Every node's 30 s tick, at a random phase, from now until <paramref name="end"/>.</summary>
    public void Start(long end)
    {
        long interval = (long)_options.Interval.TotalMicroseconds;
        _t0 = _queue.Now;
        foreach (SimNode node in _nodes)
        {
            int n = node.Index;
            for (long at = _queue.Now + _random.NextInt64(interval); at < end; at += interval)
            {
                _queue.At(at, () => Tick(n));
            }
        }
    }

    /// <summary>Node <paramref name="node"/> stored notification <paramref name="index"/> (gossip, publish or pull).</summary>
    public void Add(int node, int index)
    {
        _state[node].Set.Add(_keys[index]);
        if (_catchUps.TryGetValue(node, out CatchUp? c) && c.Remaining.Remove(index) && c.Remaining.Count == 0)
        {
            _catchUps.Remove(node);
            CatchUpsDone++;
            _catchUpSeconds.Add((_queue.Now - c.Back) / 1e6);
        }
    }

    /// <summary>The process stops: its sessions and queue are gone, and so is what its ledger and peer book held.</summary>
    public void Leave(int node)
    {
        NodeState s = _state[node];
        s.Incarnation++;
        s.Running.Clear();
        s.Due.Clear();
        s.Queued.Clear();
        s.StatusAt.Clear();
        s.CaughtUp.Clear();
        s.HistoryLeft.Clear();
        s.RunningSinceBefore = false;
        s.Ledger = new SessionLedger(_options, _time);
        _catchUps.Remove(node);
    }

    /// <summary>
    /// Back (its store kept): what of its shards was published while it was away and it lacks is
    /// what sync must bring; its connections are identified again, so both sides schedule a session.
    /// </summary>
    public void Return(int node, long since)
    {
        var missed = new HashSet<int>();
        for (int i = SortedTimes.LowerBound(_published, since); i < _published.Length && _published[i] < _queue.Now; i++)
        {
            if (_nodes[node].Holds(Tag(i)) && !_routers.Stores(node, i))
            {
                missed.Add(i);
            }
        }
        if (missed.Count > 0)
        {
            CatchUpsStarted++;
            _catchUps[node] = new CatchUp(_queue.Now, missed);
        }
        foreach (int peer in _routers.Connections(node))
        {
            if (_nodes[peer].Online)
            {
                Schedule(node, peer, SyncScope.Everything);
                Schedule(peer, node, SyncScope.Everything);
            }
        }
    }

    private void Tick(int node)
    {
        if (!_nodes[node].Online)
        {
            return;
        }
        NodeState s = _state[node];
        s.Ledger.Prune();
        int[] online = [.. _routers.Connections(node).Where(p => _nodes[p].Online)];
        _random.Shuffle(online);
        // SyncService's choice: peers whose status (if fresh) shares a shard first, then unknown ones.
        foreach (int peer in SyncPeerChoice.Pick(online, p => SharesShard(s, node, p), _options.PeersPerRound))
        {
            Schedule(node, peer, SyncScope.Recent);
        }
    }

    private bool? SharesShard(NodeState s, int node, int peer) =>
        s.StatusAt.TryGetValue(peer, out long at) && _queue.Now - at < _statusFreshUs
            ? _nodes[node].Shards.Shards.Any(mine => _nodes[peer].Shards.Shards.Any(mine.Overlaps))
            : null;

    /// <summary>SyncService.Schedule: queued unless one ran lately or the queue is full.</summary>
    private void Schedule(int node, int peer, SyncScope scope)
    {
        NodeState s = _state[node];
        if (_nodes[node].Online && s.Due.Count < SyncLimits.MaxDuePeers && s.Ledger.IsDue(_state[peer].Id) && s.Queued.Add(peer))
        {
            s.Due.Enqueue((peer, scope));
            Pump(node);
        }
    }

    private void Pump(int node)
    {
        NodeState s = _state[node];
        while (s.Running.Count < _options.MaxConcurrentSessions && s.Due.TryDequeue(out (int Peer, SyncScope Scope) due))
        {
            int peer = due.Peer;
            s.Queued.Remove(peer);
            if (s.Running.Contains(peer) || !s.Ledger.TryStart(_state[peer].Id))
            {
                continue;
            }
            s.Running.Add(peer);
            var session = new PeerSessions(this, node, peer, due.Scope, s.Incarnation);
            session.Begin();
        }
    }

    private void Ended(int node, int peer, int incarnation)
    {
        NodeState s = _state[node];
        if (s.Incarnation == incarnation)
        {
            s.Running.Remove(peer);
            Pump(node);
        }
    }

    private bool ShouldOffer(int node)
    {
        NodeState s = _state[node];
        if (_queue.Now - s.OfferCheckedAt >= (long)_options.ProviderCheckInterval.TotalMicroseconds || s.OfferCheckedAt < 0)
        {
            s.OfferCheckedAt = _queue.Now;
            s.Offering = _nodes[node].Shards.Shards.Min(OnlineHolders) < _options.SafeProviders;
        }
        return s.Offering;
    }

    /// <summary>Online nodes that hold every notification of <paramref name="shard"/>: its holders and those of the shards containing it.</summary>
    private int OnlineHolders(ShardId shard)
    {
        int count = 0;
        for (int b = 0; b <= shard.Bits; b++)
        {
            if (_holdersOf.TryGetValue(new ShardId(b, shard.Index >> (shard.Bits - b)), out List<int>? list))
            {
                count += list.Count(n => _nodes[n].Online);
            }
        }
        return count;
    }

    private uint Tag(int index) => _load.Tags[_load.Arrivals[index].Recipient];

    private ushort Top16Of(int index) => Workload.Top16(Tag(index));

    private sealed class NodeState(PeerId id, NodeSyncSet set, SessionLedger ledger)
    {
        public PeerId Id { get; } = id;

        public NodeSyncSet Set { get; } = set;

        public SessionLedger Ledger { get; set; } = ledger;

        public int Incarnation { get; set; }

        public HashSet<int> Running { get; } = [];

        public Queue<(int Peer, SyncScope Scope)> Due { get; } = new();

        /// <summary>Session shards synced whole since the process started (§11.8.7 "Scope").</summary>
        public HashSet<ShardId> CaughtUp { get; } = [];

        /// <summary>History of a shard a whole session ran out of rounds in, left for the next one (when, items).</summary>
        public Dictionary<ShardId, (long At, double Items)> HistoryLeft { get; } = [];

        /// <summary>The network starts in steady state: a node that has not restarted in the run has synced every shard whole long ago.</summary>
        public bool RunningSinceBefore { get; set; } = true;

        public HashSet<int> Queued { get; } = [];

        /// <summary>When each peer's status was last asked (PeerShardBook's freshness).</summary>
        public Dictionary<int, long> StatusAt { get; } = [];

        public long OfferCheckedAt { get; set; } = -1;

        public bool Offering { get; set; }
    }

    private sealed record CatchUp(long Back, HashSet<int> Remaining);

    /// <summary>
    /// SyncService.SyncWithAsync with one peer, as events: the peer's status if not fresh, then a
    /// session per shard overlap, each round a reconcile exchange, pulls of 96, offers, resume.
    /// </summary>
    private sealed class PeerSessions(SyncNetwork net, int node, int peer, SyncScope scope, int incarnation)
    {
        private readonly NodeState _mine = net._state[node];
        private List<ShardId> _shards = [];
        private int _next;
        private SyncSession? _session;
        private ShardId _shard;
        private long _deadline;
        private bool _whole;
        private double? _historyLeft;
        private bool _historyDone = true;

        private SyncSession Session => _session!;

        private bool Gone => _mine.Incarnation != incarnation;

        public void Begin()
        {
            if (_mine.StatusAt.TryGetValue(peer, out long at) && net._queue.Now - at < net._statusFreshUs)
            {
                Sessions();
                return;
            }
            net.StatusRequests++;
            Exchange(HolderWalk.StatusRequestBytes, () => HolderWalk.StatusResponseBytes, () =>
            {
                _mine.StatusAt[peer] = net._queue.Now;
                Sessions();
            });
        }

        private void Sessions()
        {
            // §11.8.8: one session over each overlap of the two sets, the deeper shard of each pair.
            _shards = net._nodes[node].Shards.Shards
                .SelectMany(s => net._nodes[peer].Shards.Shards.Select(s.Intersect))
                .OfType<ShardId>().Distinct().ToList();
            NextShard();
        }

        private void NextShard()
        {
            if (Gone)
            {
                return;
            }
            if (_next == _shards.Count)
            {
                net.Ended(node, peer, incarnation);
                return;
            }
            _shard = _shards[_next++];
            ISyncSet set = _mine.Set.ForShard(_shard);
            ulong now = (ulong)net._time.GetUtcNow().ToUnixTimeSeconds();
            // SyncService: a periodic session over a shard synced whole covers the last day only.
            _whole = scope == SyncScope.Everything || !(_mine.RunningSinceBefore || _mine.CaughtUp.Contains(_shard));
            var recent = new TimeKey(now - (ulong)net._options.RecentWindow.TotalSeconds, SyncBounds.Lowest.Hash);
            // §11.8.8 "Resuming": a whole session continues the history walk the last one over the
            // shard left (any peer); the window's items are all in its recent part, walked first.
            _session = _whole && _mine.Ledger.TakeResume(_shard) is { } resume
                ? SyncSession.Resume(set, resume, recent)
                : new SyncSession(set, _whole ? null : recent, now);
            _historyLeft = null;
            _historyDone = true;
            if (_whole && _mine.HistoryLeft.Remove(_shard, out (long At, double Items) left) && net._queue.Now - left.At < (long)net._options.ResumeWindow.TotalMicroseconds)
            {
                _historyLeft = left.Items;
            }
            if (_whole)
            {
                net.WholeSessions++;
            }
            if (scope == SyncScope.Recent)
            {
                net.PeriodicSessions++;
            }
            _deadline = net._queue.Now + net._timeoutUs;
            net.Sessions++;
            Round();
        }

        private void Round()
        {
            if (Gone)
            {
                return;
            }
            if (net._queue.Now >= _deadline || Session.NextRequest() is not { } request)
            {
                History();
                return;
            }
            ISyncSet theirs = net._state[peer].Set.ForShard(_shard);
            int sent = SyncWireSize.Reconcile(request, _shard);
            SyncAnswer? answer = null;
            Exchange(sent, () =>
            {
                answer = SyncResponder.Answer(theirs, request);
                return SyncWireSize.Answer(answer);
            }, () =>
            {
                Session.Apply(answer!.Answered, answer.Ranges);
                net.Rounds++;
                net.PeriodicRounds += scope == SyncScope.Recent ? 1 : 0;
                if (Session.Need.Count >= SyncLimits.MaxGetHashes)
                {
                    Pull(Round);
                }
                else
                {
                    Round();
                }
            });
        }

        /// <summary>The history both hold, walked after the recent tiers: its rounds in time and bytes.</summary>
        private void History()
        {
            SyncSession session = Session;
            // The backlog is 90 days of volume spread evenly in time; a recent session sees the part
            // of it inside its window that the measured window has not replaced.
            double share = _whole ? 1 : Math.Clamp((net._options.RecentWindow.TotalHours - ((net._queue.Now - net._t0) / 3.6e9)) / (90 * 24), 0, 1);
            double items = _historyLeft ?? (share * net._load.BacklogBytes(_shard) / net._load.NotificationBytes);
            int rounds = session.IsComplete ? ConvergedHistory.Rounds(items, SyncLimits.MaxRoundsPerSession - session.Rounds) : 0;
            double walked = (double)rounds * SyncLimits.InitiatorItemsPerRequest;
            if (session.IsComplete && _whole && walked < items)
            {
                // Out of rounds (§11.8.4): the rest of the history waits for the next whole session over the shard.
                _historyDone = false;
                _mine.HistoryLeft[_shard] = (net._queue.Now, items - walked);
            }
            if (rounds == 0)
            {
                PullRest();
                return;
            }
            net.HistoryRounds += rounds;
            net.PeriodicRounds += scope == SyncScope.Recent ? rounds : 0;
            net._traffic.Add(TrafficKind.Sync, node, peer, rounds * net._history.RequestBytesPerRound);
            net._traffic.Add(TrafficKind.Sync, peer, node, rounds * net._history.AnswerBytesPerRound);
            long rtt = 2 * net._links.Latency(node, peer);
            net._queue.After(rounds * rtt, () =>
            {
                if (!Gone && !net._nodes[peer].Online)
                {
                    Fail();
                    return;
                }
                PullRest();
            });
        }

        private void PullRest()
        {
            if (Gone)
            {
                return;
            }
            if (Session.Need.Count > 0)
            {
                Pull(PullRest);
                return;
            }
            if (Session.Offer.Count > 0 && net.ShouldOffer(node))
            {
                Offer();
                return;
            }
            Finish(failed: false);
        }

        private void Pull(Action then)
        {
            List<int> wanted = Session.TakeNeed(SyncLimits.MaxGetHashes).Select(ItemKeys.IndexOf).ToList();
            List<int> got = [];
            Exchange(SyncWireSize.Get(wanted.Count), () =>
            {
                got = wanted.Where(i => net._routers.Stores(peer, i)).ToList();
                return SyncWireSize.Got(got.Count, net._load.NotificationBytes);
            }, () =>
            {
                foreach (int i in got)
                {
                    // The ingress gate stores it once: one that gossip brought meanwhile is a duplicate.
                    if (net._nodes[node].Holds(net.Tag(i)) && net._routers.MarkStored(node, i))
                    {
                        net.Pulled++;
                        net._stored(node, i);
                    }
                }
                then();
            });
        }

        /// <summary>§11.8.6: one publish per stream of up to 1000 ids the peer lacked, through its gate.</summary>
        private void Offer()
        {
            List<int> offered = Session.TakeOffer(net._options.MaxOffersPerSession).Select(ItemKeys.IndexOf).ToList();
            int bytes = offered.Count * (net._load.NotificationBytes + OfferBytes + SyncWireSize.StreamBytes);
            Exchange(bytes, () => 0, () =>
            {
                foreach (int i in offered)
                {
                    if (net._nodes[peer].Online && net._nodes[peer].Holds(net.Tag(i)) && net._routers.MarkStored(peer, i))
                    {
                        net.Offered++;
                        net._stored(peer, i);
                    }
                }
                Finish(failed: false);
            });
        }

        private void Finish(bool failed)
        {
            if (Session.IsComplete && _whole && _historyDone)
            {
                _mine.CaughtUp.Add(_shard);
            }
            if (!_historyDone)
            {
                net.IncompleteSessions++;
            }
            if (!Session.IsComplete)
            {
                if (failed)
                {
                    net.FailedSessions++;
                }
                else
                {
                    net.IncompleteSessions++;
                }
                if (_whole)
                {
                    _mine.Ledger.Save(_shard, Session.Remaining);
                }
            }
            NextShard();
        }

        private void Fail()
        {
            if (_session is null)
            {
                net.FailedSessions++;
                net.Ended(node, peer, incarnation);
                return;
            }
            Finish(failed: true);
            // SyncService ends the remaining shards with the same peer on an I/O failure the same way: each fails.
        }

        /// <summary>
        /// One request and its answer over a new stream: <paramref name="sent"/> bytes there,
        /// <paramref name="answer"/> computed by the peer on arrival (its size back), then
        /// <paramref name="then"/>. A peer that is offline refuses (§14.1); one that leaves before
        /// answering resets the stream: the session fails.
        /// </summary>
        private void Exchange(int sent, Func<int> answer, Action then)
        {
            if (!net._nodes[peer].Online)
            {
                net._queue.After(net._links.Refused(node, peer, net._timeoutUs), () =>
                {
                    if (!Gone)
                    {
                        Fail();
                    }
                });
                return;
            }
            net._traffic.Add(TrafficKind.Sync, node, peer, sent);
            net._queue.After(net._links.Transit(node, peer), () =>
            {
                if (!net._nodes[peer].Online)
                {
                    net._queue.After(net._links.Transit(peer, node), () =>
                    {
                        if (!Gone)
                        {
                            Fail();
                        }
                    });
                    return;
                }
                int back = answer();
                net._traffic.Add(TrafficKind.Sync, peer, node, back);
                net._queue.After(net._links.Transit(peer, node), () =>
                {
                    if (!Gone)
                    {
                        _session?.CountBytes(sent + back);
                        then();
                    }
                });
            });
        }
    }
}
