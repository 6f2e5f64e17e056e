using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>How urgently an outbound RPC must go (rust-libp2p gossipsub <c>queue.rs</c>).</summary>
public enum OutboundKind
{
    /// <summary>Subscriptions, GRAFT, PRUNE, IHAVE, IWANT, IDONTWANT: small, never dropped before data.</summary>
    Control,

    /// <summary>Our own messages.</summary>
    Publish,

    /// <summary>Relayed messages and IWANT answers: dropped first under back-pressure.</summary>
    Forward,
}

/// <summary>
/// A command out of the router: send <see cref="Rpc"/> to <see cref="Peer"/>. <see cref="Frame"/>,
/// when not empty, is that RPC already encoded with its length prefix: an RPC carrying one
/// message gets the same bytes for every peer that message goes to in one router call.
/// </summary>
internal sealed record OutboundRpc(PeerId Peer, RPC Rpc, OutboundKind Kind, ReadOnlyMemory<byte> Frame = default);

/// <summary>
/// Collects what one router call wants to send, merged per peer (one control RPC and one
/// message RPC each), and turns it into <see cref="OutboundRpc"/> commands at the end of the call.
/// </summary>
internal sealed class Outbox
{
    private readonly Dictionary<PeerId, RPC> _control = [];
    // A peer's first message is kept alone; a batch RPC is made only when a second one comes.
    private readonly Dictionary<PeerId, (Message? Single, RPC? Batch, OutboundKind Kind)> _messages = [];
    private readonly List<OutboundRpc> _ready = [];

    // Per Flush: a relayed or published message gets one RPC and one encoding, shared by every
    // peer it goes to alone, instead of one of each per peer.
    private readonly Dictionary<Message, (RPC Rpc, byte[] Frame)> _singles = new(ReferenceEqualityComparer.Instance);

    public void Subscription(PeerId peer, string topic, bool subscribe) =>
        Control(peer).Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = subscribe, Topicid = topic });

    public void Graft(PeerId peer, string topic) =>
        ControlMessage(peer).Graft.Add(new ControlGraft { TopicID = topic });

    public void Prune(PeerId peer, ControlPrune prune) => ControlMessage(peer).Prune.Add(prune);

    public void IHave(PeerId peer, string topic, IEnumerable<MessageId> ids)
    {
        var ihave = new ControlIHave { TopicID = topic };
        foreach (MessageId id in ids)
        {
            ihave.MessageIDs.Add(ByteString.CopyFrom(id.Array));
        }
        ControlMessage(peer).Ihave.Add(ihave);
    }

    public void IWant(PeerId peer, IEnumerable<MessageId> ids)
    {
        var iwant = new ControlIWant();
        foreach (MessageId id in ids)
        {
            iwant.MessageIDs.Add(ByteString.CopyFrom(id.Array));
        }
        ControlMessage(peer).Iwant.Add(iwant);
    }

    public void IDontWant(PeerId peer, MessageId id)
    {
        var message = ControlMessage(peer);
        if (message.Idontwant.Count == 0)
        {
            message.Idontwant.Add(new ControlIDontWant());
        }
        message.Idontwant[0].MessageIDs.Add(ByteString.CopyFrom(id.Array));
    }

    public void Message(PeerId peer, Message message, OutboundKind kind)
    {
        if (!_messages.TryGetValue(peer, out var pending))
        {
            _messages[peer] = (message, null, kind);
            return;
        }
        RPC batch = pending.Batch ?? new RPC { Publish = { pending.Single! } };
        batch.Publish.Add(message);
        _messages[peer] = (null, batch, kind < pending.Kind ? kind : pending.Kind); // our own message in the batch lifts it
    }

    /// <summary>Moves everything collected into the ready list (control first).</summary>
    public void Flush()
    {
        foreach (var (peer, rpc) in _control)
        {
            _ready.Add(new OutboundRpc(peer, rpc, OutboundKind.Control));
        }
        foreach (var (peer, (single, batch, kind)) in _messages)
        {
            if (single is not null)
            {
                var (rpc, frame) = SingleOf(single);
                _ready.Add(new OutboundRpc(peer, rpc, kind, frame));
            }
            else
            {
                _ready.Add(new OutboundRpc(peer, batch!, kind));
            }
        }
        _control.Clear();
        _messages.Clear();
        _singles.Clear();
    }

    private (RPC Rpc, byte[] Frame) SingleOf(Message message)
    {
        if (!_singles.TryGetValue(message, out var single))
        {
            _singles[message] = single = (new RPC { Publish = { message } }, RpcCodec.FrameSingleMessage(message));
        }
        return single;
    }

    public List<OutboundRpc> Take()
    {
        Flush();
        var taken = new List<OutboundRpc>(_ready);
        _ready.Clear();
        return taken;
    }

    private RPC Control(PeerId peer)
    {
        if (!_control.TryGetValue(peer, out RPC? rpc))
        {
            _control[peer] = rpc = new RPC();
        }
        return rpc;
    }

    private ControlMessage ControlMessage(PeerId peer) => Control(peer).Control ??= new ControlMessage();
}
