using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>What the router knows of one connected pubsub peer.</summary>
internal sealed class RouterPeer(PeerId id, GossipProtocol protocol, bool outbound)
{
    public PeerId Id { get; } = id;

    public GossipProtocol Protocol { get; } = protocol;

    /// <summary>We dialed the connection (v1.1 "Outbound Mesh Quotas").</summary>
    public bool Outbound { get; } = outbound;

    public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);

    /// <summary>v1.2 <c>dont_send_message_ids</c>, with the heartbeat they arrived in.</summary>
    public Dictionary<MessageId, long> DontSend { get; } = [];

    /// <summary>IHAVE messages this heartbeat (v1.1 <c>max_ihave_messages</c>).</summary>
    public int IHaveCount { get; set; }

    /// <summary>Ids we asked this peer for this heartbeat (v1.1 <c>max_ihave_length</c>).</summary>
    public int IAsked { get; set; }

    /// <summary>IDONTWANT ids taken this heartbeat (v1.2 <c>max_idontwant_messages</c>).</summary>
    public int IDontWantCount { get; set; }
}
