using System.Net;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.1.md "Peer Scoring": P1–P7, decay and the score thresholds.</summary>
public class PeerScoreTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static (PeerScore Score, ManualTime Time) NewScore(TopicScoreParams? topic = null, PeerScoreParams? peer = null)
    {
        var time = new ManualTime();
        var parameters = peer ?? new PeerScoreParams { Topics = new Dictionary<string, TopicScoreParams> { [Topic] = topic ?? new() } };
        return (new PeerScore(parameters, time, TimeSpan.FromMinutes(2)), time);
    }

    private static MessageId Id(int n) => new([(byte)n, 1, 2, 3]);

    [Fact]
    public void P1_time_in_mesh_grows_per_quantum_up_to_its_cap()
    {
        var (score, time) = NewScore(new TopicScoreParams { TimeInMeshWeight = 1, TimeInMeshCap = 5, FirstMessageDeliveriesWeight = 0 });
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        score.Graft(p, Topic);
        for (int i = 0; i < 3; i++)
        {
            time.Advance(Second);
            score.Refresh();
        }
        Assert.Equal(3, score.Score(p), 6);
        for (int i = 0; i < 10; i++)
        {
            time.Advance(Second);
            score.Refresh();
        }
        Assert.Equal(5, score.Score(p), 6);
        score.Prune(p, Topic);
        Assert.Equal(0, score.Score(p), 6);
    }

    [Fact]
    public void P2_first_deliveries_count_up_to_the_cap_and_decay()
    {
        var (score, time) = NewScore(new TopicScoreParams { TimeInMeshWeight = 0, FirstMessageDeliveriesCap = 3, FirstMessageDeliveriesDecay = 0.5 });
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        for (int i = 0; i < 5; i++)
        {
            score.ValidateMessage(p, Id(i));
            score.DeliverMessage(p, Id(i), Topic);
        }
        Assert.Equal(3, score.Score(p), 6);
        time.Advance(Second);
        score.Refresh();
        Assert.Equal(1.5, score.Score(p), 6);
    }

    [Fact]
    public void P3_mesh_delivery_deficit_is_squared_after_activation_and_becomes_P3b_on_prune()
    {
        var topic = new TopicScoreParams
        {
            TimeInMeshWeight = 0,
            FirstMessageDeliveriesWeight = 0,
            MeshMessageDeliveriesWeight = -1,
            MeshMessageDeliveriesThreshold = 4,
            MeshMessageDeliveriesActivation = TimeSpan.FromSeconds(2),
            MeshMessageDeliveriesDecay = 0.9,
            MeshFailurePenaltyWeight = -1,
            MeshFailurePenaltyDecay = 0.5,
        };
        var (score, time) = NewScore(topic);
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        score.Graft(p, Topic);
        score.ValidateMessage(p, Id(1));
        score.DeliverMessage(p, Id(1), Topic); // one mesh delivery
        time.Advance(Second);
        score.Refresh();
        Assert.Equal(0, score.Score(p), 6); // not active yet
        time.Advance(Second * 2);
        score.Refresh();
        double deliveries = 1 * 0.9 * 0.9;
        double deficit = 4 - deliveries;
        Assert.Equal(-deficit * deficit, score.Score(p), 6);
        score.Prune(p, Topic);
        Assert.Equal(-deficit * deficit, score.Score(p), 6); // now carried by P3b
        time.Advance(Second);
        score.Refresh();
        Assert.Equal(-deficit * deficit * 0.5, score.Score(p), 6);
    }

    [Fact]
    public void Duplicates_from_mesh_peers_count_for_P3_only_inside_the_delivery_window()
    {
        var topic = new TopicScoreParams { TimeInMeshWeight = 0, FirstMessageDeliveriesWeight = 0, MeshMessageDeliveriesWeight = -1, MeshMessageDeliveriesThreshold = 2, MeshMessageDeliveriesActivation = TimeSpan.Zero };
        var (score, time) = NewScore(topic);
        PeerId first = NewPeerKey(), quick = NewPeerKey(), slow = NewPeerKey();
        foreach (PeerId p in new[] { first, quick, slow })
        {
            score.AddPeer(p, null);
            score.Graft(p, Topic);
        }
        time.Advance(Second);
        score.Refresh(); // activates P3
        score.ValidateMessage(first, Id(1));
        score.DeliverMessage(first, Id(1), Topic);
        score.DuplicateMessage(quick, Id(1), Topic);
        time.Advance(TimeSpan.FromMilliseconds(50));
        score.DuplicateMessage(slow, Id(1), Topic);
        Assert.Equal(-1, score.Score(first), 6);
        Assert.Equal(-1, score.Score(quick), 6);
        Assert.Equal(-4, score.Score(slow), 6);
    }

    [Fact]
    public void P4_invalid_deliveries_are_squared_and_charged_to_every_forwarder()
    {
        var (score, _) = NewScore(new TopicScoreParams { TimeInMeshWeight = 0, InvalidMessageDeliveriesWeight = -2 });
        PeerId sender = NewPeerKey(), forwarder = NewPeerKey();
        score.AddPeer(sender, null);
        score.AddPeer(forwarder, null);
        score.ValidateMessage(sender, Id(1));
        score.DuplicateMessage(forwarder, Id(1), Topic); // arrives while validation runs
        score.RejectMessage(sender, Id(1), Topic);
        score.ValidateMessage(sender, Id(2));
        score.RejectMessage(sender, Id(2), Topic);
        Assert.Equal(-2 * 4, score.Score(sender), 6);
        Assert.Equal(-2 * 1, score.Score(forwarder), 6);
    }

    [Fact]
    public void Ignored_messages_cost_nothing()
    {
        var (score, _) = NewScore();
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        score.ValidateMessage(p, Id(1));
        score.IgnoreMessage(Id(1));
        score.DuplicateMessage(NewPeerKey(), Id(1), Topic);
        Assert.Equal(0, score.Score(p), 6);
    }

    [Fact]
    public void Topic_score_is_capped_but_penalties_are_not()
    {
        var peer = new PeerScoreParams
        {
            Topics = new Dictionary<string, TopicScoreParams> { [Topic] = new() { TimeInMeshWeight = 0, FirstMessageDeliveriesCap = 100 } },
            TopicScoreCap = 5,
            BehaviourPenaltyThreshold = 0,
            BehaviourPenaltyWeight = -1,
        };
        var (score, _) = NewScore(peer: peer);
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        for (int i = 0; i < 20; i++)
        {
            score.ValidateMessage(p, Id(i));
            score.DeliverMessage(p, Id(i), Topic);
        }
        Assert.Equal(5, score.Score(p), 6);
        score.AddPenalty(p, 3);
        Assert.Equal(5 - 9, score.Score(p), 6);
    }

    [Fact]
    public void P5_application_score_is_weighted()
    {
        PeerId p = NewPeerKey();
        var (score, _) = NewScore(peer: new PeerScoreParams { AppSpecificScore = k => k.Equals(p) ? -3 : 0, AppSpecificWeight = 2 });
        score.AddPeer(p, null);
        Assert.Equal(-6, score.Score(p), 6);
    }

    [Fact]
    public void P6_penalises_peers_beyond_the_colocation_threshold_except_whitelisted_networks()
    {
        var parameters = new PeerScoreParams
        {
            IPColocationFactorThreshold = 2,
            IPColocationFactorWeight = -1,
            IPColocationFactorWhitelist = [IPNetwork.Parse("10.0.0.0/8")],
        };
        var (score, _) = NewScore(peer: parameters);
        var shared = IPAddress.Parse("192.0.2.7");
        var peers = Enumerable.Range(0, 4).Select(_ => NewPeerKey()).ToList();
        foreach (PeerId p in peers)
        {
            score.AddPeer(p, shared);
        }
        Assert.All(peers, p => Assert.Equal(-4, score.Score(p), 6)); // (4 − 2)²
        score.RemovePeer(peers[0]);
        Assert.Equal(-1, score.Score(peers[1]), 6);
        var lan = Enumerable.Range(0, 4).Select(_ => NewPeerKey()).ToList();
        foreach (PeerId p in lan)
        {
            score.AddPeer(p, IPAddress.Parse("10.1.1.1"));
        }
        Assert.All(lan, p => Assert.Equal(0, score.Score(p), 6));
    }

    [Fact]
    public void P7_counts_only_above_its_threshold_and_decays_to_zero()
    {
        var (score, time) = NewScore(peer: new PeerScoreParams { BehaviourPenaltyThreshold = 2, BehaviourPenaltyWeight = -1, BehaviourPenaltyDecay = 0.5, DecayToZero = 0.1 });
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        score.AddPenalty(p, 2);
        Assert.Equal(0, score.Score(p), 6);
        score.AddPenalty(p, 2);
        Assert.Equal(-4, score.Score(p), 6);
        for (int i = 0; i < 10; i++)
        {
            time.Advance(Second);
            score.Refresh();
        }
        Assert.Equal(0, score.Score(p), 6);
    }

    [Fact]
    public void Negative_score_survives_a_reconnect_within_retain_score()
    {
        var (score, time) = NewScore(peer: new PeerScoreParams { BehaviourPenaltyThreshold = 0, BehaviourPenaltyWeight = -1, BehaviourPenaltyDecay = 0.99, RetainScore = TimeSpan.FromSeconds(10) });
        PeerId p = NewPeerKey();
        score.AddPeer(p, null);
        score.AddPenalty(p, 2);
        score.RemovePeer(p);
        time.Advance(Second * 5);
        score.Refresh();
        score.AddPeer(p, null);
        Assert.True(score.Score(p) < 0);
        score.RemovePeer(p);
        time.Advance(Second * 11);
        score.Refresh();
        score.AddPeer(p, null);
        Assert.Equal(0, score.Score(p), 6);
    }

    [Fact]
    public void Rpcs_from_a_graylisted_peer_are_ignored()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        PeerId bad = h.AddPeer(topics: Topic);
        // Three invalid messages: −10·3² = −90 < graylist −80.
        for (int i = 0; i < 3; i++)
        {
            h.Receive(bad, NewMessage(seed: 100 + i), ValidationResult.Reject);
        }
        Assert.True(h.Router.Score(bad) < h.Options.Thresholds.GraylistThreshold);
        Assert.Empty(h.Receive(bad, NewMessage(seed: 200), result: null));
        Assert.Equal(1, h.Router.Metrics.GraylistedRpcs);
    }

    [Fact]
    public void Negative_score_peer_is_pruned_on_the_heartbeat_without_peer_exchange()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(5);
        h.Heartbeats(1);
        PeerId bad = peers[0];
        Assert.Contains(bad, h.Router.MeshPeers(Topic));
        h.Receive(bad, NewMessage(seed: 9), ValidationResult.Reject);
        h.Take();
        h.Heartbeats(1);
        Assert.DoesNotContain(bad, h.Router.MeshPeers(Topic));
        var prune = Assert.Single(Select(h.Take(), r => r.Control?.Prune), x => x.Peer.Equals(bad));
        Assert.Empty(prune.Item.Peers);
    }

    [Fact]
    public void Peers_below_the_gossip_threshold_get_no_gossip_and_their_ihave_is_ignored()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(10);
        h.Heartbeats(1);
        PeerId outsider = peers.First(p => !h.Router.MeshPeers(Topic).Contains(p));
        h.Receive(outsider, NewMessage(seed: 1), ValidationResult.Reject); // −10: at the gossip threshold
        h.Receive(outsider, NewMessage(seed: 2), ValidationResult.Reject); // −40: below it
        h.Receive(peers.First(h.Router.MeshPeers(Topic).Contains), NewMessage(seed: 3));
        h.Take();
        h.Heartbeats(1);
        Assert.DoesNotContain(outsider, Select(h.Take(), r => r.Control?.Ihave).Select(x => x.Peer));
        h.Control(outsider, new ControlMessage { Ihave = { new ControlIHave { TopicID = Topic, MessageIDs = { Google.Protobuf.ByteString.CopyFrom(1, 2, 3) } } } });
        Assert.Empty(h.Take());
    }

    [Fact]
    public void Own_messages_skip_peers_below_the_publish_threshold()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(3);
        for (int i = 0; i < 3; i++)
        {
            h.Receive(peers[0], NewMessage(seed: 50 + i), ValidationResult.Reject); // −90
        }
        h.Take();
        h.Router.Publish(Topic, new byte[] { 1, 2, 3 });
        HashSet<PeerId> recipients = MessageRecipients(h.Take());
        Assert.DoesNotContain(peers[0], recipients);
        Assert.Contains(peers[1], recipients);
    }
}
