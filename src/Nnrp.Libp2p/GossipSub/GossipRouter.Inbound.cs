using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>A new message waiting for the application's validator.</summary>
internal sealed record InboundMessage(PeerId From, GossipMessage Message, Message Raw);

internal sealed partial class GossipRouter
{
    /// <summary>
    /// Handles one RPC from <paramref name="from"/> in the order go-libp2p-pubsub uses:
    /// subscriptions, then messages, then control. Returns the new messages that need
    /// validation; report each outcome with <see cref="ReportValidation"/>.
    /// </summary>
    public List<InboundMessage> HandleRpc(PeerId from, RPC rpc)
    {
        var toValidate = new List<InboundMessage>();
        if (!_peers.TryGetValue(from, out RouterPeer? peer))
        {
            return toValidate;
        }
        // v1.1 "Score Thresholds": below the graylist threshold every RPC is ignored.
        if (_score is not null && Score(from) < _options.Thresholds.GraylistThreshold)
        {
            _graylisted++;
            Log.GraylistedRpcDropped(_logger, from);
            return toValidate;
        }
        // Indexed loops: RepeatedField's enumerator is an iterator object, one per foreach per RPC.
        for (int i = 0; i < rpc.Subscriptions.Count; i++)
        {
            HandleSubscription(peer, rpc.Subscriptions[i].Topicid, rpc.Subscriptions[i].Subscribe);
        }
        for (int i = 0; i < rpc.Publish.Count; i++)
        {
            if (HandleMessage(peer, rpc.Publish[i]) is { } inbound)
            {
                toValidate.Add(inbound);
            }
        }
        if (rpc.Control is { } control)
        {
            HandleControl(peer, control);
        }
        _outbox.Flush();
        return toValidate;
    }

    private void HandleSubscription(RouterPeer peer, string topic, bool subscribe)
    {
        if (subscribe)
        {
            if (peer.Topics.Count >= _options.Limits.MaxTopicsPerPeer || !peer.Topics.Add(topic))
            {
                return;
            }
            if (!_topicPeers.TryGetValue(topic, out var peers))
            {
                _topicPeers[topic] = peers = [];
            }
            peers.Add(peer.Id);
            return;
        }
        if (!peer.Topics.Remove(topic))
        {
            return;
        }
        RemoveFromSet(_topicPeers, topic, peer.Id);
        if (_mesh.TryGetValue(topic, out var mesh) && mesh.Remove(peer.Id))
        {
            _score?.Prune(peer.Id, topic);
        }
        if (_fanout.TryGetValue(topic, out var fanout))
        {
            fanout.Remove(peer.Id);
        }
    }

    private InboundMessage? HandleMessage(RouterPeer peer, Message message)
    {
        if (!_mesh.ContainsKey(message.Topic))
        {
            return null; // go-libp2p-pubsub: messages for topics we did not join are dropped unscored
        }
        if (!PassesSignaturePolicy(message, out string? reason))
        {
            _rejected++;
            _score?.RejectMessage(peer.Id, null, message.Topic);
            Log.MessageRejected(_logger, peer.Id, reason);
            return null;
        }
        GossipMessage gossip = ToGossipMessage(message);
        MessageId id = _options.MessageIdFunction(gossip);
        gossip.Id = id;
        _promises.Fulfil(id);
        if (!_seen.Add(id))
        {
            _duplicates++;
            _score?.DuplicateMessage(peer.Id, id, message.Topic);
            return null;
        }
        // v1.2 "Basic scenario": tell mesh peers at once, before validation, that we have it.
        if (message.Data.Length >= _options.IDontWantMessageSizeThreshold && _mesh.TryGetValue(message.Topic, out var mesh))
        {
            foreach (PeerId meshPeer in mesh)
            {
                if (!meshPeer.Equals(peer.Id) && _peers[meshPeer].Protocol.SupportsIDontWant())
                {
                    _outbox.IDontWant(meshPeer, id);
                }
            }
        }
        _score?.ValidateMessage(peer.Id, id);
        return new InboundMessage(peer.Id, gossip, message);
    }

    /// <summary>v1.1 "Signature Policy Options".</summary>
    private bool PassesSignaturePolicy(Message message, out string? reason)
    {
        if (_options.SignaturePolicy == SignaturePolicy.StrictNoSign)
        {
            reason = message.HasFrom || message.HasSeqno || message.HasSignature || message.HasKey
                ? "StrictNoSign: message carries from, seqno, signature or key"
                : null;
            return reason is null;
        }
        if (!message.HasFrom || !message.HasSeqno || !message.HasSignature)
        {
            reason = "StrictSign: message lacks from, seqno or signature";
            return false;
        }
        reason = _authenticator!.Verify(message) ? null : "StrictSign: bad signature";
        return reason is null;
    }

    /// <summary>
    /// The validator's verdict on <paramref name="inbound"/>. Accept: cached, forwarded to the
    /// mesh (skipping the sender, the author and peers that sent IDONTWANT) and returned true so
    /// the caller delivers it. Reject: P4 for the sender. Ignore: dropped quietly.
    /// </summary>
    public bool ReportValidation(InboundMessage inbound, ValidationResult result)
    {
        MessageId id = inbound.Message.Id;
        string topic = inbound.Message.Topic;
        switch (result)
        {
            case ValidationResult.Accept:
                _delivered++;
                _score?.DeliverMessage(inbound.From, id, topic);
                _mcache.Put(id, inbound.Raw);
                Forward(inbound, id);
                _outbox.Flush();
                return true;
            case ValidationResult.Reject:
                _rejected++;
                _score?.RejectMessage(inbound.From, id, topic);
                Log.MessageRejected(_logger, inbound.From, "validator rejected it");
                return false;
            default:
                _ignored++;
                _score?.IgnoreMessage(id);
                return false;
        }
    }

    private void Forward(InboundMessage inbound, MessageId id)
    {
        string topic = inbound.Message.Topic;
        ReadOnlyMemory<byte> author = inbound.Raw.HasFrom ? inbound.Raw.From.Memory : default;
        if (_mesh.TryGetValue(topic, out var mesh))
        {
            foreach (PeerId peer in mesh)
            {
                ForwardTo(peer);
            }
        }
        if (_topicPeers.TryGetValue(topic, out var topicPeers))
        {
            foreach (PeerId peer in topicPeers)
            {
                if (_peers[peer].Protocol == GossipProtocol.Floodsub)
                {
                    ForwardTo(peer);
                }
            }
        }

        void ForwardTo(PeerId peer)
        {
            if (peer.Equals(inbound.From) || _peers[peer].DontSend.ContainsKey(id)
                || (!author.IsEmpty && peer.Bytes.Span.SequenceEqual(author.Span)))
            {
                return;
            }
            _outbox.Message(peer, inbound.Raw, OutboundKind.Forward);
        }
    }
}
