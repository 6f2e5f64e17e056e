using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>pubsub/README.md "Message Processing", v1.1 "Extended Validators", "Signature Policy Options", "Flood Publishing".</summary>
public class ValidationAndPublishTests
{
    [Fact]
    public void Message_is_forwarded_only_after_accept_and_never_back_to_its_sender()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(4);
        h.Heartbeats(1);
        h.Take();
        List<InboundMessage> pending = h.Receive(peers[0], NewMessage(), result: null);
        Assert.Empty(MessageRecipients(h.Take()));
        Assert.True(h.Router.ReportValidation(Assert.Single(pending), ValidationResult.Accept));
        Assert.Equal(peers.Skip(1).ToHashSet(), MessageRecipients(h.Take()));
        Assert.Equal(1, h.Router.Metrics.Delivered);
    }

    [Fact]
    public void A_forwarded_message_is_encoded_once_for_all_its_peers()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(4);
        h.Heartbeats(1);
        h.Take();
        Message message = NewMessage();
        h.Receive(peers[0], message);
        List<OutboundRpc> sent = h.Take().Where(o => o.Rpc.Publish.Count > 0).ToList();
        Assert.Equal(3, sent.Count);
        Assert.All(sent, o => Assert.Equal(RpcCodec.FrameSingleMessage(message), o.Frame.ToArray()));
        Assert.Single(sent.Select(o => o.Frame).Distinct()); // the same bytes, not three copies
        Assert.Single(sent.Select(o => o.Rpc).Distinct(ReferenceEqualityComparer.Instance)); // and one RPC object
    }

    [Fact]
    public void Rejected_and_ignored_messages_are_not_forwarded()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(4);
        h.Heartbeats(1);
        h.Take();
        h.Receive(peers[0], NewMessage(seed: 1), ValidationResult.Reject);
        h.Receive(peers[0], NewMessage(seed: 2), ValidationResult.Ignore);
        Assert.Empty(MessageRecipients(h.Take()));
        Assert.Equal(1, h.Router.Metrics.Rejected);
        Assert.Equal(1, h.Router.Metrics.Ignored);
    }

    [Fact]
    public void Duplicate_copies_are_suppressed_and_counted()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(3);
        Message m = NewMessage();
        Assert.Single(h.Receive(peers[0], m));
        Assert.Empty(h.Receive(peers[1], m));
        Assert.Empty(h.Receive(peers[2], m));
        Assert.Equal(2, h.Router.Metrics.Duplicates);
    }

    [Fact]
    public void Strict_no_sign_rejects_messages_carrying_from_seqno_signature_or_key()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        Message[] signed =
        [
            new Message { Topic = Topic, Data = ByteString.CopyFrom(1), From = ByteString.CopyFrom(2) },
            new Message { Topic = Topic, Data = ByteString.CopyFrom(3), Seqno = ByteString.CopyFrom(4) },
            new Message { Topic = Topic, Data = ByteString.CopyFrom(5), Signature = ByteString.CopyFrom(6) },
            new Message { Topic = Topic, Data = ByteString.CopyFrom(7), Key = ByteString.CopyFrom(8) },
        ];
        foreach (Message m in signed)
        {
            Assert.Empty(h.Receive(peer, m, result: null));
        }
        Assert.Equal(4, h.Router.Metrics.Rejected);
    }

    [Fact]
    public void Messages_for_topics_we_did_not_join_are_dropped()
    {
        var h = new RouterHarness();
        PeerId peer = h.AddPeer(topics: Topic);
        Assert.Empty(h.Receive(peer, NewMessage(), result: null));
    }

    [Fact]
    public void Flood_publish_sends_our_message_to_every_topic_peer()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(15);
        h.AddPeer(topics: "other");
        h.Heartbeats(1);
        h.Take();
        PublishOutcome outcome = h.Router.Publish(Topic, new byte[] { 1, 2, 3 });
        List<OutboundRpc> sent = h.Take();
        Assert.Equal(peers.ToHashSet(), MessageRecipients(sent));
        Assert.All(sent, o => Assert.Equal(OutboundKind.Publish, o.Kind));
        Assert.Equal(15, outcome.Peers);
        Assert.True(h.Router.Publish(Topic, new byte[] { 1, 2, 3 }).Duplicate);
    }

    [Fact]
    public void A_publish_with_a_precomputed_id_skips_the_id_function_and_is_seen_under_that_id()
    {
        int calls = 0;
        var options = new GossipSubOptions
        {
            SignaturePolicy = SignaturePolicy.StrictNoSign,
            MessageIdFunction = m => { calls++; return MessageIdFunctions.Sha256OfData(m); },
        };
        var h = new RouterHarness(options);
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        h.Take();
        Message message = NewMessage();
        MessageId id = IdOf(message);

        PublishOutcome outcome = h.Router.Publish(Topic, message.Data.Memory, id);

        Assert.Equal(0, calls);
        Assert.Equal(id, outcome.Id);
        Assert.Equal([peer], MessageRecipients(h.Take()));
        // The same message coming back is a duplicate under that id, found by the id function.
        Assert.Empty(h.Receive(peer, message));
        Assert.Equal(1, calls);
        Assert.Equal(1, h.Router.Metrics.Duplicates);
    }

    [Fact]
    public void Without_flood_publish_an_unjoined_topic_uses_a_fanout_of_D_that_expires()
    {
        var options = new GossipSubOptions { SignaturePolicy = SignaturePolicy.StrictNoSign, MessageIdFunction = MessageIdFunctions.Sha256OfData, FloodPublish = false };
        var h = new RouterHarness(options);
        h.AddPeers(15);
        h.Take();
        h.Router.Publish(Topic, new byte[] { 1 });
        Assert.Equal(h.Options.D, MessageRecipients(h.Take()).Count);
        Assert.Equal(h.Options.D, h.Router.FanoutPeers(Topic).Count);
        h.Heartbeats((int)h.Options.FanoutTtl.TotalSeconds);
        Assert.Empty(h.Router.FanoutPeers(Topic));
    }

    [Fact]
    public void Subscribing_after_publishing_turns_the_fanout_into_the_mesh()
    {
        var options = new GossipSubOptions { SignaturePolicy = SignaturePolicy.StrictNoSign, MessageIdFunction = MessageIdFunctions.Sha256OfData, FloodPublish = false };
        var h = new RouterHarness(options);
        h.AddPeers(15);
        h.Router.Publish(Topic, new byte[] { 1 });
        var fanout = h.Router.FanoutPeers(Topic).ToHashSet();
        h.Router.Subscribe(Topic);
        Assert.Equal(fanout, h.Router.MeshPeers(Topic).ToHashSet());
        Assert.Empty(h.Router.FanoutPeers(Topic));
    }

    [Fact]
    public void New_peer_learns_our_subscriptions()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        h.Take();
        PeerId peer = h.AddPeer();
        var sub = Assert.Single(Select(h.Take(), r => r.Subscriptions), x => x.Peer.Equals(peer));
        Assert.True(sub.Item.Subscribe);
    }

    [Fact]
    public void Subscriptions_beyond_max_topics_per_peer_are_ignored()
    {
        var options = new GossipSubOptions { SignaturePolicy = SignaturePolicy.StrictNoSign, MessageIdFunction = MessageIdFunctions.Sha256OfData, Limits = new RpcLimits { MaxTopicsPerPeer = 2 } };
        var h = new RouterHarness(options);
        h.AddPeer(topics: ["a", "b", "c"]);
        Assert.Single(h.Router.TopicPeers("a"));
        Assert.Empty(h.Router.TopicPeers("c"));
    }
}
