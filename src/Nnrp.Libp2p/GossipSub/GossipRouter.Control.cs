using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

internal sealed partial class GossipRouter
{
    private void HandleControl(RouterPeer peer, ControlMessage control)
    {
        if (!peer.Protocol.IsGossip())
        {
            return; // floodsub has no control messages
        }
        foreach (ControlIDontWant idontwant in control.Idontwant)
        {
            HandleIDontWant(peer, idontwant);
        }
        foreach (ControlIHave ihave in control.Ihave)
        {
            HandleIHave(peer, ihave);
        }
        if (control.Iwant.Count > 0)
        {
            HandleIWant(peer, control.Iwant);
        }
        foreach (ControlGraft graft in control.Graft)
        {
            HandleGraft(peer, graft.TopicID);
        }
        foreach (ControlPrune prune in control.Prune)
        {
            HandlePrune(peer, prune);
        }
    }

    /// <summary>
    /// v1.1 "Spam Protection Measures": answer IHAVE only from peers above the gossip threshold,
    /// at most <c>max_ihave_messages</c> per heartbeat, asking for at most <c>max_ihave_length</c>
    /// ids per heartbeat, chosen at random; one id per IWANT becomes a tracked promise.
    /// </summary>
    private void HandleIHave(RouterPeer peer, ControlIHave ihave)
    {
        if (Score(peer.Id) < _options.Thresholds.GossipThreshold || !_mesh.ContainsKey(ihave.TopicID))
        {
            return;
        }
        if (++peer.IHaveCount > _options.MaxIHaveMessages)
        {
            Log.IHaveFlood(_logger, peer.Id, peer.IHaveCount);
            return;
        }
        int budget = _options.MaxIHaveLength - peer.IAsked;
        if (budget <= 0)
        {
            return;
        }
        var wanted = new List<MessageId>();
        foreach (ByteString raw in ihave.MessageIDs)
        {
            var id = new MessageId(raw.ToByteArray());
            if (!_seen.Contains(id))
            {
                wanted.Add(id);
            }
        }
        if (wanted.Count == 0)
        {
            return;
        }
        Shuffle(wanted);
        if (wanted.Count > budget)
        {
            wanted.RemoveRange(budget, wanted.Count - budget);
        }
        peer.IAsked += wanted.Count;
        _promises.Add(peer.Id, wanted[_random.Next(wanted.Count)], _options.IWantFollowupTime);
        _outbox.IWant(peer.Id, wanted);
    }

    /// <summary>IWANT is answered from the message cache, each message at most <c>gossip_retransmission</c> times per peer.</summary>
    private void HandleIWant(RouterPeer peer, IEnumerable<ControlIWant> iwants)
    {
        if (Score(peer.Id) < _options.Thresholds.GossipThreshold)
        {
            return;
        }
        foreach (ControlIWant iwant in iwants)
        {
            foreach (ByteString raw in iwant.MessageIDs)
            {
                var id = new MessageId(raw.ToByteArray());
                if (!peer.DontSend.ContainsKey(id) && _mcache.TryGetForPeer(id, peer.Id, _options.GossipRetransmission, out Message message))
                {
                    _outbox.Message(peer.Id, message, OutboundKind.Forward);
                }
            }
        }
    }

    /// <summary>v1.2: remember ids the peer already has, up to <c>max_idontwant_messages</c> per heartbeat.</summary>
    private void HandleIDontWant(RouterPeer peer, ControlIDontWant idontwant)
    {
        foreach (ByteString raw in idontwant.MessageIDs)
        {
            if (++peer.IDontWantCount > _options.MaxIDontWantMessages)
            {
                return;
            }
            peer.DontSend.TryAdd(new MessageId(raw.ToByteArray()), _heartbeats);
        }
    }

    /// <summary>
    /// v1.1 "Prune Backoff and Peer Exchange" and "Mesh Maintenance": a GRAFT is refused with
    /// PRUNE for a topic we did not join (no PX, so we do not leak peers), during backoff (P7,
    /// doubled when it comes within the graft flood threshold), from a negative-score peer, or
    /// into a full mesh unless the peer is outbound (v1.1 "Outbound Mesh Quotas").
    /// </summary>
    private void HandleGraft(RouterPeer peer, string topic)
    {
        if (!_mesh.TryGetValue(topic, out var mesh))
        {
            _outbox.Prune(peer.Id, MakePrune(peer.Id, topic, doPeerExchange: false, _options.PruneBackoff));
            return;
        }
        if (mesh.Contains(peer.Id))
        {
            return;
        }
        if (_backoff.IsBackedOff(topic, peer.Id))
        {
            int penalty = 1;
            TimeSpan sinceBackoffStarted = _options.PruneBackoff - _backoff.Remaining(topic, peer.Id);
            if (sinceBackoffStarted < _options.GraftFloodThreshold)
            {
                penalty++;
            }
            _score?.AddPenalty(peer.Id, penalty);
            Log.GraftDuringBackoff(_logger, peer.Id, topic);
            _backoff.Add(topic, peer.Id, _options.PruneBackoff);
            _outbox.Prune(peer.Id, MakePrune(peer.Id, topic, doPeerExchange: false, _options.PruneBackoff));
            return;
        }
        if (Score(peer.Id) < 0)
        {
            _backoff.Add(topic, peer.Id, _options.PruneBackoff);
            _outbox.Prune(peer.Id, MakePrune(peer.Id, topic, doPeerExchange: false, _options.PruneBackoff));
            return;
        }
        if (mesh.Count >= _options.DHigh && !peer.Outbound)
        {
            _backoff.Add(topic, peer.Id, _options.PruneBackoff);
            _outbox.Prune(peer.Id, MakePrune(peer.Id, topic, doPeerExchange: true, _options.PruneBackoff));
            return;
        }
        mesh.Add(peer.Id);
        _score?.Graft(peer.Id, topic);
        Log.Grafted(_logger, peer.Id, topic);
    }

    /// <summary>A PRUNE removes the peer from the mesh, starts the backoff it names, and offers its PX if we trust the pruner enough.</summary>
    private void HandlePrune(RouterPeer peer, ControlPrune prune)
    {
        string topic = prune.TopicID;
        if (_mesh.TryGetValue(topic, out var mesh) && mesh.Remove(peer.Id))
        {
            _score?.Prune(peer.Id, topic);
            Log.Pruned(_logger, peer.Id, topic);
        }
        TimeSpan backoff = prune.HasBackoff && prune.Backoff > 0
            ? TimeSpan.FromSeconds(Math.Min(prune.Backoff, (ulong)TimeSpan.FromDays(1).TotalSeconds))
            : _options.PruneBackoff;
        _backoff.Add(topic, peer.Id, backoff);
        if (prune.Peers.Count == 0 || Score(peer.Id) < _options.Thresholds.AcceptPXThreshold)
        {
            return;
        }
        var offered = prune.Peers.ToList();
        int taken = 0;
        Shuffle(offered);
        foreach (PeerInfo info in offered)
        {
            if (taken >= _options.PrunePeers)
            {
                break;
            }
            if (info.PeerID.IsEmpty)
            {
                continue;
            }
            if (!PeerId.TryFromBytes(info.PeerID.Span, out PeerId? candidate))
            {
                continue;
            }
            if (!_peers.ContainsKey(candidate))
            {
                _peerExchange.Add(new PeerExchangeCandidate(candidate, info.SignedPeerRecord.Memory));
                taken++;
            }
        }
    }

    /// <summary>
    /// A PRUNE for <paramref name="peer"/>. v1.1 peers get the backoff and, when
    /// <paramref name="doPeerExchange"/>, up to <c>prune_peers</c> other non-negative topic peers.
    /// </summary>
    private ControlPrune MakePrune(PeerId peer, string topic, bool doPeerExchange, TimeSpan backoff)
    {
        var prune = new ControlPrune { TopicID = topic };
        if (!_peers.TryGetValue(peer, out RouterPeer? state) || !state.Protocol.SupportsPeerExchange())
        {
            return prune;
        }
        prune.Backoff = (ulong)backoff.TotalSeconds;
        if (doPeerExchange)
        {
            foreach (PeerId other in Candidates(topic, _options.PrunePeers, p => !p.Equals(peer) && Score(p) >= 0))
            {
                prune.Peers.Add(new PeerInfo { PeerID = ByteString.CopyFrom(other.Bytes.Span) });
            }
        }
        return prune;
    }
}
