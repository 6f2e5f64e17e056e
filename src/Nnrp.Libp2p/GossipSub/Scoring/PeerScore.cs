using System.Net;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Scoring;

/// <summary>
/// gossipsub-v1.1.md "Peer Scoring": per-peer counters fed by router events and decayed on the
/// decay interval; <see cref="Score"/> evaluates the score function on demand. Not thread-safe:
/// the router owns it.
/// </summary>
internal sealed class PeerScore
{
    private readonly PeerScoreParams _params;
    private readonly TimeProvider _time;
    private readonly Dictionary<PeerId, PeerStats> _peers = [];
    private readonly Dictionary<IPAddress, HashSet<PeerId>> _peersByIp = [];
    private readonly DeliveryRecords _deliveries;
    private DateTimeOffset _lastDecay;

    public PeerScore(PeerScoreParams parameters, TimeProvider time, TimeSpan deliveryRecordTtl)
    {
        _params = parameters;
        _time = time;
        _deliveries = new DeliveryRecords(time, deliveryRecordTtl);
        _lastDecay = time.GetUtcNow();
    }

    public double Score(PeerId peer)
    {
        if (!_peers.TryGetValue(peer, out PeerStats? stats))
        {
            return 0;
        }
        double topicScore = 0;
        foreach (var (topic, ts) in stats.Topics)
        {
            if (!_params.Topics.TryGetValue(topic, out TopicScoreParams? tp))
            {
                continue;
            }
            double p1 = ts.InMesh ? Math.Min(ts.MeshTime / tp.TimeInMeshQuantum, tp.TimeInMeshCap) : 0;
            double p3 = 0;
            if (ts.InMesh && ts.MeshDeliveriesActive && ts.MeshMessageDeliveries < tp.MeshMessageDeliveriesThreshold)
            {
                double deficit = tp.MeshMessageDeliveriesThreshold - ts.MeshMessageDeliveries;
                p3 = deficit * deficit;
            }
            double score = tp.TimeInMeshWeight * p1
                + tp.FirstMessageDeliveriesWeight * ts.FirstMessageDeliveries
                + tp.MeshMessageDeliveriesWeight * p3
                + tp.MeshFailurePenaltyWeight * ts.MeshFailurePenalty
                + tp.InvalidMessageDeliveriesWeight * ts.InvalidMessageDeliveries * ts.InvalidMessageDeliveries;
            topicScore += tp.TopicWeight * score;
        }
        if (_params.TopicScoreCap > 0 && topicScore > _params.TopicScoreCap)
        {
            topicScore = _params.TopicScoreCap;
        }
        double total = topicScore;
        if (_params.AppSpecificScore is { } app)
        {
            total += _params.AppSpecificWeight * app(peer);
        }
        total += _params.IPColocationFactorWeight * ColocationFactor(stats);
        double excess = stats.BehaviourPenalty - _params.BehaviourPenaltyThreshold;
        if (excess > 0)
        {
            total += _params.BehaviourPenaltyWeight * excess * excess;
        }
        return total;
    }

    /// <summary>P6: squared surplus of peers sharing an IP beyond the threshold (worst of the peer's IPs).</summary>
    private double ColocationFactor(PeerStats stats)
    {
        double worst = 0;
        foreach (IPAddress ip in stats.Ips)
        {
            if (IsWhitelisted(ip))
            {
                continue;
            }
            int surplus = (_peersByIp.TryGetValue(ip, out var peers) ? peers.Count : 0) - _params.IPColocationFactorThreshold;
            if (surplus > 0)
            {
                worst = Math.Max(worst, (double)surplus * surplus);
            }
        }
        return worst;
    }

    private bool IsWhitelisted(IPAddress ip)
    {
        // Indexed, not foreach: this runs on every score read (each RPC's graylist check), and
        // enumerating the IReadOnlyList boxes an enumerator each time.
        IReadOnlyList<IPNetwork> whitelist = _params.IPColocationFactorWhitelist;
        for (int i = 0; i < whitelist.Count; i++)
        {
            if (whitelist[i].Contains(ip))
            {
                return true;
            }
        }
        return false;
    }

    public void AddPeer(PeerId peer, IPAddress? ip)
    {
        if (!_peers.TryGetValue(peer, out PeerStats? stats))
        {
            _peers[peer] = stats = new PeerStats();
        }
        stats.Connected = true;
        if (ip is not null && stats.Ips.Add(ip))
        {
            if (!_peersByIp.TryGetValue(ip, out var peers))
            {
                _peersByIp[ip] = peers = [];
            }
            peers.Add(peer);
        }
    }

    /// <summary>
    /// A peer left: mesh membership ends (with the P3b check), counters are retained for
    /// <see cref="PeerScoreParams.RetainScore"/> unless they hold nothing worth remembering.
    /// </summary>
    public void RemovePeer(PeerId peer)
    {
        if (!_peers.TryGetValue(peer, out PeerStats? stats))
        {
            return;
        }
        foreach (var (topic, ts) in stats.Topics)
        {
            if (ts.InMesh)
            {
                Prune(peer, topic);
            }
        }
        foreach (IPAddress ip in stats.Ips)
        {
            if (_peersByIp.TryGetValue(ip, out var peers) && peers.Remove(peer) && peers.Count == 0)
            {
                _peersByIp.Remove(ip);
            }
        }
        stats.Ips.Clear();
        if (Score(peer) > 0)
        {
            _peers.Remove(peer); // positive score is not retained: a reconnect starts from zero (go-libp2p-pubsub)
            return;
        }
        stats.Connected = false;
        stats.Expires = _time.GetUtcNow() + _params.RetainScore;
    }

    public void Graft(PeerId peer, string topic)
    {
        if (StatsFor(peer, topic) is { } ts)
        {
            ts.InMesh = true;
            ts.GraftTime = _time.GetUtcNow();
            ts.MeshTime = TimeSpan.Zero;
            ts.MeshDeliveriesActive = false;
        }
    }

    /// <summary>Leaving the mesh with a P3 deficit adds it, squared, to the P3b penalty.</summary>
    public void Prune(PeerId peer, string topic)
    {
        if (StatsFor(peer, topic) is not { } ts || !_params.Topics.TryGetValue(topic, out TopicScoreParams? tp))
        {
            return;
        }
        if (ts.InMesh && ts.MeshDeliveriesActive && ts.MeshMessageDeliveries < tp.MeshMessageDeliveriesThreshold)
        {
            double deficit = tp.MeshMessageDeliveriesThreshold - ts.MeshMessageDeliveries;
            ts.MeshFailurePenalty += deficit * deficit;
        }
        ts.InMesh = false;
    }

    /// <summary>P7: misbehaviour (GRAFT in backoff, broken IWANT promises, …).</summary>
    public void AddPenalty(PeerId peer, int count)
    {
        if (_peers.TryGetValue(peer, out PeerStats? stats))
        {
            stats.BehaviourPenalty += count;
        }
    }

    /// <summary>A new message from <paramref name="from"/> entered validation.</summary>
    public void ValidateMessage(PeerId from, MessageId id) => _deliveries.GetOrCreate(id);

    /// <summary>The validator accepted the message: P2 for the first sender, P3 for near-first mesh senders.</summary>
    public void DeliverMessage(PeerId from, MessageId id, string topic)
    {
        MarkFirstDelivery(from, topic);
        DeliveryRecord record = _deliveries.GetOrCreate(id);
        if (record.Status != DeliveryStatus.Unknown)
        {
            return;
        }
        record.Status = DeliveryStatus.Valid;
        record.Validated = _time.GetUtcNow();
        foreach (PeerId peer in record.Peers)
        {
            if (!peer.Equals(from))
            {
                MarkDuplicateDelivery(peer, topic, null);
            }
        }
    }

    /// <summary>
    /// The validator rejected the message (or its signature policy failed): P4 for the sender and
    /// everyone who forwarded it to us while it was being validated.
    /// </summary>
    public void RejectMessage(PeerId from, MessageId? id, string topic)
    {
        MarkInvalidDelivery(from, topic);
        if (id is not { } known)
        {
            return; // rejected before it had an id (bad signature policy): only the sender pays
        }
        DeliveryRecord record = _deliveries.GetOrCreate(known);
        if (record.Status != DeliveryStatus.Unknown)
        {
            return;
        }
        record.Status = DeliveryStatus.Invalid;
        foreach (PeerId peer in record.Peers)
        {
            MarkInvalidDelivery(peer, topic);
        }
        record.Peers.Clear();
    }

    public void IgnoreMessage(MessageId id)
    {
        DeliveryRecord record = _deliveries.GetOrCreate(id);
        if (record.Status == DeliveryStatus.Unknown)
        {
            record.Status = DeliveryStatus.Ignored;
            record.Peers.Clear();
        }
    }

    /// <summary>A copy of a message we have seen arrived from <paramref name="from"/>.</summary>
    public void DuplicateMessage(PeerId from, MessageId id, string topic)
    {
        DeliveryRecord record = _deliveries.GetOrCreate(id);
        if (!record.Peers.Add(from) && record.Status != DeliveryStatus.Invalid)
        {
            return;
        }
        switch (record.Status)
        {
            case DeliveryStatus.Unknown:
                break; // counted when validation finishes
            case DeliveryStatus.Valid:
                MarkDuplicateDelivery(from, topic, record.Validated);
                break;
            case DeliveryStatus.Invalid:
                MarkInvalidDelivery(from, topic); // forwarding junk costs even when late
                break;
            case DeliveryStatus.Ignored:
                break;
        }
    }

    private void MarkFirstDelivery(PeerId peer, string topic)
    {
        if (StatsFor(peer, topic) is not { } ts || !_params.Topics.TryGetValue(topic, out TopicScoreParams? tp))
        {
            return;
        }
        ts.FirstMessageDeliveries = Math.Min(ts.FirstMessageDeliveries + 1, tp.FirstMessageDeliveriesCap);
        if (ts.InMesh)
        {
            ts.MeshMessageDeliveries = Math.Min(ts.MeshMessageDeliveries + 1, tp.MeshMessageDeliveriesCap);
        }
    }

    /// <summary>P3 counts a duplicate from a mesh peer if it came within the delivery window of validation.</summary>
    private void MarkDuplicateDelivery(PeerId peer, string topic, DateTimeOffset? validated)
    {
        if (StatsFor(peer, topic) is not { InMesh: true } ts || !_params.Topics.TryGetValue(topic, out TopicScoreParams? tp))
        {
            return;
        }
        if (validated is { } at && _time.GetUtcNow() - at > tp.MeshMessageDeliveriesWindow)
        {
            return;
        }
        ts.MeshMessageDeliveries = Math.Min(ts.MeshMessageDeliveries + 1, tp.MeshMessageDeliveriesCap);
    }

    private void MarkInvalidDelivery(PeerId peer, string topic)
    {
        if (StatsFor(peer, topic) is { } ts)
        {
            ts.InvalidMessageDeliveries += 1;
        }
    }

    /// <summary>
    /// Heartbeat: once per decay interval every counter decays (values under DecayToZero snap
    /// to 0), mesh time advances, P3 activates, retained peers expire and old delivery
    /// records go.
    /// </summary>
    public void Refresh()
    {
        DateTimeOffset now = _time.GetUtcNow();
        _deliveries.Prune();
        if (now - _lastDecay < _params.DecayInterval)
        {
            return;
        }
        _lastDecay = now;
        foreach (var (peer, stats) in _peers)
        {
            if (!stats.Connected)
            {
                if (stats.Expires <= now)
                {
                    _peers.Remove(peer);
                }
                continue;
            }
            foreach (var (topic, ts) in stats.Topics)
            {
                if (!_params.Topics.TryGetValue(topic, out TopicScoreParams? tp))
                {
                    continue;
                }
                ts.FirstMessageDeliveries = Decay(ts.FirstMessageDeliveries, tp.FirstMessageDeliveriesDecay);
                ts.MeshMessageDeliveries = Decay(ts.MeshMessageDeliveries, tp.MeshMessageDeliveriesDecay);
                ts.MeshFailurePenalty = Decay(ts.MeshFailurePenalty, tp.MeshFailurePenaltyDecay);
                ts.InvalidMessageDeliveries = Decay(ts.InvalidMessageDeliveries, tp.InvalidMessageDeliveriesDecay);
                if (ts.InMesh)
                {
                    ts.MeshTime = now - ts.GraftTime;
                    ts.MeshDeliveriesActive |= ts.MeshTime > tp.MeshMessageDeliveriesActivation;
                }
            }
            stats.BehaviourPenalty = Decay(stats.BehaviourPenalty, _params.BehaviourPenaltyDecay);
        }
    }

    private double Decay(double value, double decay)
    {
        value *= decay;
        return value < _params.DecayToZero ? 0 : value;
    }

    private TopicStats? StatsFor(PeerId peer, string topic)
    {
        if (!_peers.TryGetValue(peer, out PeerStats? stats) || !_params.Topics.ContainsKey(topic))
        {
            return null;
        }
        if (!stats.Topics.TryGetValue(topic, out TopicStats? ts))
        {
            stats.Topics[topic] = ts = new TopicStats();
        }
        return ts;
    }

    private sealed class PeerStats
    {
        public bool Connected { get; set; }

        public DateTimeOffset Expires { get; set; }

        public Dictionary<string, TopicStats> Topics { get; } = new(StringComparer.Ordinal);

        public HashSet<IPAddress> Ips { get; } = [];

        public double BehaviourPenalty { get; set; }
    }

    private sealed class TopicStats
    {
        public bool InMesh { get; set; }

        public DateTimeOffset GraftTime { get; set; }

        public TimeSpan MeshTime { get; set; }

        public double FirstMessageDeliveries { get; set; }

        public double MeshMessageDeliveries { get; set; }

        public bool MeshDeliveriesActive { get; set; }

        public double MeshFailurePenalty { get; set; }

        public double InvalidMessageDeliveries { get; set; }
    }
}
