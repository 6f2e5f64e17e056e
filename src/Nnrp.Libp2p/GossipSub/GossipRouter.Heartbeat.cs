using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

internal sealed partial class GossipRouter
{
    /// <summary>
    /// gossipsub-v1.0.md "Heartbeat" with the v1.1 changes ("Mesh Maintenance", "Outbound Mesh
    /// Quotas", "Opportunistic Grafting", "Adaptive Gossip Dissemination"): mesh upkeep, fanout
    /// upkeep, IHAVE gossip, then cache shifting, backoff expiry, broken promises (P7) and
    /// score decay.
    /// </summary>
    public void Heartbeat()
    {
        _heartbeats++;
        var scores = new Dictionary<PeerId, double>();
        double ScoreOf(PeerId p)
        {
            if (!scores.TryGetValue(p, out double s))
            {
                scores[p] = s = Score(p);
            }
            return s;
        }

        foreach (var (peer, broken) in _promises.TakeBroken())
        {
            _score?.AddPenalty(peer, broken);
            Log.BrokenPromises(_logger, peer, broken);
        }
        foreach (RouterPeer peer in _peers.Values)
        {
            peer.IHaveCount = 0;
            peer.IAsked = 0;
            peer.IDontWantCount = 0;
            if (peer.DontSend.Count > 0)
            {
                foreach (var (id, at) in peer.DontSend)
                {
                    if (_heartbeats - at >= _options.IDontWantTtlHeartbeats)
                    {
                        peer.DontSend.Remove(id);
                    }
                }
            }
        }

        foreach (var (topic, mesh) in _mesh)
        {
            MaintainMesh(topic, mesh, ScoreOf);
            EmitGossip(topic, mesh, ScoreOf);
        }
        MaintainFanout(ScoreOf);

        _outbox.Flush();
        _mcache.Shift();
        _backoff.ClearExpired();
        _seen.Prune();
        _score?.Refresh();
    }

    private void MaintainMesh(string topic, HashSet<PeerId> mesh, Func<PeerId, double> score)
    {
        // v1.1 "Mesh Maintenance": negative-score peers leave first, without PX.
        foreach (PeerId peer in mesh.Where(p => score(p) < 0).ToList())
        {
            PruneFromMesh(topic, mesh, peer, doPeerExchange: false);
        }

        bool Eligible(PeerId p) => !mesh.Contains(p) && !_backoff.IsBackedOff(topic, p) && score(p) >= 0;

        if (mesh.Count < _options.DLow)
        {
            foreach (PeerId peer in Candidates(topic, _options.D - mesh.Count, Eligible))
            {
                GraftIntoMesh(topic, mesh, peer);
            }
        }

        if (mesh.Count > _options.DHigh)
        {
            ShrinkMesh(topic, mesh, score);
        }

        // v1.1 "Outbound Mesh Quotas": top up outbound peers even when the mesh is big enough.
        if (mesh.Count >= _options.DLow)
        {
            int outbound = mesh.Count(p => _peers[p].Outbound);
            if (outbound < _options.DOut)
            {
                foreach (PeerId peer in Candidates(topic, _options.DOut - outbound, p => Eligible(p) && _peers[p].Outbound))
                {
                    GraftIntoMesh(topic, mesh, peer);
                }
            }
        }

        // v1.1 "Opportunistic Grafting": a mesh whose median score is poor takes better peers.
        if (_score is not null && _heartbeats % _options.OpportunisticGraftTicks == 0 && mesh.Count > 1)
        {
            List<double> sorted = mesh.Select(score).Order().ToList();
            double median = sorted[sorted.Count / 2];
            if (median < _options.Thresholds.OpportunisticGraftThreshold)
            {
                foreach (PeerId peer in Candidates(topic, _options.OpportunisticGraftPeers, p => Eligible(p) && score(p) > median))
                {
                    GraftIntoMesh(topic, mesh, peer);
                    Log.OpportunisticGraft(_logger, peer, topic, median);
                }
            }
        }
    }

    /// <summary>
    /// v1.1 "Mesh Maintenance": keep the best <c>D_score</c> peers by score, fill up to D at
    /// random while making sure at least <c>D_out</c> of the kept peers are outbound, prune the rest.
    /// </summary>
    private void ShrinkMesh(string topic, HashSet<PeerId> mesh, Func<PeerId, double> score)
    {
        var byScore = mesh.ToList();
        Shuffle(byScore); // ties broken at random
        byScore = byScore.OrderByDescending(score).ToList();
        var keep = byScore.Take(_options.DScore).ToList();
        var rest = byScore.Skip(_options.DScore).ToList();
        Shuffle(rest);
        int outbound = keep.Count(p => _peers[p].Outbound);
        foreach (PeerId peer in rest.Where(p => _peers[p].Outbound).ToList())
        {
            if (outbound >= _options.DOut)
            {
                break;
            }
            keep.Add(peer);
            rest.Remove(peer);
            outbound++;
        }
        foreach (PeerId peer in rest)
        {
            if (keep.Count >= _options.D)
            {
                break;
            }
            keep.Add(peer);
        }
        foreach (PeerId peer in mesh.Except(keep).ToList())
        {
            PruneFromMesh(topic, mesh, peer, doPeerExchange: true);
        }
    }

    private void GraftIntoMesh(string topic, HashSet<PeerId> mesh, PeerId peer)
    {
        mesh.Add(peer);
        _score?.Graft(peer, topic);
        _outbox.Graft(peer, topic);
        Log.Grafted(_logger, peer, topic);
    }

    private void PruneFromMesh(string topic, HashSet<PeerId> mesh, PeerId peer, bool doPeerExchange)
    {
        mesh.Remove(peer);
        _score?.Prune(peer, topic);
        _backoff.Add(topic, peer, _options.PruneBackoff);
        _outbox.Prune(peer, MakePrune(peer, topic, doPeerExchange, _options.PruneBackoff));
        Log.Pruned(_logger, peer, topic);
    }

    /// <summary>v1.0 "Fanout": expire idle topics, drop departed or badly scored peers, refill to D.</summary>
    private void MaintainFanout(Func<PeerId, double> score)
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach (var (topic, fanout) in _fanout)
        {
            if (_fanoutLastPublished.GetValueOrDefault(topic) + _options.FanoutTtl <= now)
            {
                _fanout.Remove(topic);
                _fanoutLastPublished.Remove(topic);
                continue;
            }
            fanout.RemoveWhere(p => !_topicPeers.TryGetValue(topic, out var peers) || !peers.Contains(p) || score(p) < _options.Thresholds.PublishThreshold);
            if (fanout.Count < _options.D)
            {
                fanout.UnionWith(Candidates(topic, _options.D - fanout.Count, p => !fanout.Contains(p) && score(p) >= _options.Thresholds.PublishThreshold));
            }
            EmitGossip(topic, fanout, score);
        }
    }

    /// <summary>
    /// v1.1 "Adaptive Gossip Dissemination": IHAVE for the recent windows to max(D_lazy,
    /// gossip_factor × eligible) random non-mesh gossipsub peers at or above the gossip threshold.
    /// </summary>
    private void EmitGossip(string topic, HashSet<PeerId> exclude, Func<PeerId, double> score)
    {
        List<MessageId> ids = _mcache.GetGossipIds(topic);
        if (ids.Count == 0)
        {
            return;
        }
        List<PeerId> eligible = Candidates(topic, int.MaxValue, p => !exclude.Contains(p) && score(p) >= _options.Thresholds.GossipThreshold);
        int target = Math.Max(_options.DLazy, (int)(_options.GossipFactor * eligible.Count));
        if (eligible.Count > target)
        {
            eligible.RemoveRange(target, eligible.Count - target);
        }
        foreach (PeerId peer in eligible)
        {
            List<MessageId> sent = ids;
            if (ids.Count > _options.MaxIHaveLength)
            {
                sent = new List<MessageId>(ids);
                Shuffle(sent);
                sent.RemoveRange(_options.MaxIHaveLength, sent.Count - _options.MaxIHaveLength);
            }
            _outbox.IHave(peer, topic, sent);
        }
    }
}
