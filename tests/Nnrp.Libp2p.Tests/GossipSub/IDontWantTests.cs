using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.2.md "IDONTWANT Message".</summary>
public class IDontWantTests
{
    private static RouterHarness MeshOf(int peers, out List<PeerId> mesh, GossipProtocol protocol = GossipProtocol.Meshsub12)
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        h.AddPeers(peers, protocol: protocol);
        h.Heartbeats(1);
        mesh = h.Router.MeshPeers(Topic).ToList();
        h.Take();
        return h;
    }

    [Fact]
    public void First_copy_of_a_large_message_sends_idontwant_to_v1_2_mesh_peers_before_validation()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> v12 = h.AddPeers(3);
        List<PeerId> v11 = h.AddPeers(3, protocol: GossipProtocol.Meshsub11);
        h.Heartbeats(1);
        h.Take();
        Message big = NewMessage(size: h.Options.IDontWantMessageSizeThreshold);
        h.Receive(v12[0], big, result: null); // not validated yet
        var idontwants = Select(h.Take(), r => r.Control?.Idontwant).ToList();
        Assert.Equal(v12.Skip(1).ToHashSet(), idontwants.Select(x => x.Peer).ToHashSet());
        Assert.All(idontwants, x => Assert.Equal(ByteString.CopyFrom(IdOf(big).Bytes.Span), x.Item.MessageIDs.Single()));
        Assert.DoesNotContain(idontwants, x => v11.Contains(x.Peer));
    }

    [Fact]
    public void Small_messages_send_no_idontwant()
    {
        var h = MeshOf(4, out List<PeerId> mesh);
        h.Receive(mesh[0], NewMessage(size: h.Options.IDontWantMessageSizeThreshold - 1));
        Assert.Empty(Select(h.Take(), r => r.Control?.Idontwant));
    }

    [Fact]
    public void Message_is_not_forwarded_to_a_peer_that_sent_idontwant_for_it()
    {
        var h = MeshOf(4, out List<PeerId> mesh);
        Message m = NewMessage(size: 2000);
        h.Control(mesh[1], new ControlMessage { Idontwant = { new ControlIDontWant { MessageIDs = { ByteString.CopyFrom(IdOf(m).Bytes.Span) } } } });
        h.Receive(mesh[0], m);
        HashSet<PeerId> recipients = MessageRecipients(h.Take());
        Assert.Equal(mesh.Skip(2).ToHashSet(), recipients);
    }

    [Fact]
    public void Idontwant_entries_expire_after_the_configured_heartbeats()
    {
        var h = MeshOf(4, out List<PeerId> mesh);
        Message m = NewMessage(size: 10);
        h.Control(mesh[1], new ControlMessage { Idontwant = { new ControlIDontWant { MessageIDs = { ByteString.CopyFrom(IdOf(m).Bytes.Span) } } } });
        h.Heartbeats(h.Options.IDontWantTtlHeartbeats);
        h.Take();
        h.Receive(mesh[0], m);
        Assert.Contains(mesh[1], MessageRecipients(h.Take()));
    }

    [Fact]
    public void Idontwant_beyond_max_idontwant_messages_per_heartbeat_is_ignored()
    {
        var options = new GossipSubOptions { SignaturePolicy = SignaturePolicy.StrictNoSign, MessageIdFunction = MessageIdFunctions.Sha256OfData, MaxIDontWantMessages = 2 };
        var h = new RouterHarness(options);
        h.Router.Subscribe(Topic);
        List<PeerId> mesh = h.AddPeers(3);
        h.Heartbeats(1);
        Message[] messages = [NewMessage(seed: 1), NewMessage(seed: 2), NewMessage(seed: 3)];
        h.Control(mesh[1], new ControlMessage { Idontwant = { new ControlIDontWant { MessageIDs = { messages.Select(m => ByteString.CopyFrom(IdOf(m).Bytes.Span)) } } } });
        h.Take();
        h.Receive(mesh[0], messages[2]);
        Assert.Contains(mesh[1], MessageRecipients(h.Take()));
        h.Receive(mesh[0], messages[0]);
        Assert.DoesNotContain(mesh[1], MessageRecipients(h.Take()));
    }
}
