using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.0.md "Control Messages" IHAVE/IWANT and v1.1 "Spam Protection Measures".</summary>
public class GossipTests
{
    private static ControlMessage IHave(params MessageId[] ids) =>
        new() { Ihave = { new ControlIHave { TopicID = Topic, MessageIDs = { ids.Select(i => ByteString.CopyFrom(i.Bytes.Span)) } } } };

    private static ControlMessage IWant(params MessageId[] ids) =>
        new() { Iwant = { new ControlIWant { MessageIDs = { ids.Select(i => ByteString.CopyFrom(i.Bytes.Span)) } } } };

    private static MessageId RandomId(int n) => new([.. BitConverter.GetBytes(n), 0xAA]);

    [Fact]
    public void Heartbeat_gossips_recent_ids_to_D_lazy_non_mesh_peers()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(20);
        h.Heartbeats(1);
        Message m = NewMessage();
        h.Receive(peers[0], m);
        h.Take();
        h.Heartbeats(1);
        var ihaves = Select(h.Take(), r => r.Control?.Ihave).ToList();
        // max(D_lazy = 6, 0.25 × 14 eligible) = 6 peers, none in the mesh.
        Assert.Equal(h.Options.DLazy, ihaves.Count);
        Assert.DoesNotContain(ihaves, x => h.Router.MeshPeers(Topic).Contains(x.Peer));
        Assert.All(ihaves, x => Assert.Equal(IdOf(m), new MessageId(x.Item.MessageIDs.Single().ToByteArray())));
    }

    [Fact]
    public void Gossip_stops_after_history_gossip_heartbeats()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(20);
        h.Heartbeats(1);
        h.Receive(peers[0], NewMessage());
        h.Take();
        for (int i = 0; i < h.Options.HistoryGossip; i++)
        {
            h.Heartbeats(1);
            Assert.NotEmpty(Select(h.Take(), r => r.Control?.Ihave));
        }
        h.Heartbeats(1);
        Assert.Empty(Select(h.Take(), r => r.Control?.Ihave));
    }

    [Fact]
    public void Ihave_for_unseen_ids_is_answered_with_iwant_and_seen_ids_are_skipped()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        Message known = NewMessage(seed: 1);
        h.Receive(peer, known);
        h.Take();
        h.Control(peer, IHave(IdOf(known), RandomId(1), RandomId(2)));
        var iwant = Assert.Single(Select(h.Take(), r => r.Control?.Iwant));
        Assert.Equal(2, iwant.Item.MessageIDs.Count);
        Assert.DoesNotContain(ByteString.CopyFrom(IdOf(known).Bytes.Span), iwant.Item.MessageIDs);
    }

    [Fact]
    public void Ihave_beyond_max_ihave_messages_per_heartbeat_is_ignored()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        for (int i = 0; i < h.Options.MaxIHaveMessages; i++)
        {
            h.Control(peer, IHave(RandomId(i)));
            Assert.NotEmpty(h.Take());
        }
        h.Control(peer, IHave(RandomId(1000)));
        Assert.Empty(h.Take());
        h.Heartbeats(1);
        h.Take();
        h.Control(peer, IHave(RandomId(2000)));
        Assert.NotEmpty(h.Take());
    }

    [Fact]
    public void Ids_asked_per_heartbeat_are_capped_at_max_ihave_length()
    {
        var options = new GossipSubOptions { SignaturePolicy = SignaturePolicy.StrictNoSign, MessageIdFunction = MessageIdFunctions.Sha256OfData, MaxIHaveLength = 10 };
        var h = new RouterHarness(options);
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        h.Control(peer, IHave(Enumerable.Range(0, 8).Select(RandomId).ToArray()));
        h.Control(peer, IHave(Enumerable.Range(8, 8).Select(RandomId).ToArray()));
        int asked = Select(h.Take(), r => r.Control?.Iwant).Sum(x => x.Item.MessageIDs.Count);
        Assert.Equal(10, asked);
    }

    [Fact]
    public void Iwant_is_answered_from_the_cache_at_most_gossip_retransmission_times()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId source = h.AddPeer(topics: Topic), asker = h.AddPeer(topics: Topic);
        Message m = NewMessage();
        h.Receive(source, m);
        h.Take();
        for (int i = 0; i < h.Options.GossipRetransmission; i++)
        {
            h.Control(asker, IWant(IdOf(m)));
            var sent = Assert.Single(h.Take());
            Assert.Equal(OutboundKind.Forward, sent.Kind);
            Assert.Equal(m, sent.Rpc.Publish.Single());
        }
        h.Control(asker, IWant(IdOf(m)));
        Assert.Empty(h.Take());
        h.Control(asker, IWant(RandomId(5)));
        Assert.Empty(h.Take());
    }

    [Fact]
    public void Broken_iwant_promise_costs_a_behaviour_penalty()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        PeerId liar = h.AddPeer(topics: Topic), honest = h.AddPeer(topics: Topic);
        Message m = NewMessage(seed: 77);
        for (int i = 0; i < 10; i++)
        {
            h.Control(liar, IHave(RandomId(100 + i))); // ten promises, none kept
        }
        h.Control(honest, IHave(IdOf(m)));
        h.Receive(honest, m);
        h.Heartbeats(4); // past iwant_followup_time
        Assert.True(h.Router.Score(liar) < 0, $"liar {h.Router.Score(liar)}");
        Assert.True(h.Router.Score(honest) >= 0, $"honest {h.Router.Score(honest)}");
    }
}
