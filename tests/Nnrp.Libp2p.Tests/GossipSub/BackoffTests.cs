using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.1.md "Prune Backoff and Peer Exchange".</summary>
public class BackoffTests
{
    private static ControlMessage Graft => new() { Graft = { new ControlGraft { TopicID = Topic } } };

    [Fact]
    public void Pruned_peer_is_not_grafted_again_until_its_backoff_ends()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        h.Heartbeats(1);
        Assert.Contains(peer, h.Router.MeshPeers(Topic));
        h.Control(peer, new ControlMessage { Prune = { new ControlPrune { TopicID = Topic, Backoff = 30 } } });
        Assert.Empty(h.Router.MeshPeers(Topic));

        h.Heartbeats(30); // backoff plus one heartbeat of slack
        Assert.Empty(h.Router.MeshPeers(Topic));
        h.Heartbeats(2);
        Assert.Contains(peer, h.Router.MeshPeers(Topic));
    }

    [Fact]
    public void Prune_without_a_backoff_field_uses_the_default_prune_backoff()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        h.Heartbeats(1);
        h.Control(peer, new ControlMessage { Prune = { new ControlPrune { TopicID = Topic } } });
        h.Heartbeats((int)h.Options.PruneBackoff.TotalSeconds);
        Assert.Empty(h.Router.MeshPeers(Topic));
        h.Heartbeats(2);
        Assert.Contains(peer, h.Router.MeshPeers(Topic));
    }

    [Fact]
    public void Graft_during_backoff_is_answered_with_prune_and_penalised()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        PeerId peer = h.AddPeer(topics: Topic);
        h.Heartbeats(1);
        h.Control(peer, new ControlMessage { Prune = { new ControlPrune { TopicID = Topic } } });
        h.Take();

        // P7 counts 2 for a GRAFT within graft_flood_threshold; the threshold is 6, so flood a few times.
        for (int i = 0; i < 5; i++)
        {
            h.Control(peer, Graft);
            Assert.Contains(peer, PrunedPeers(h.Take()));
        }
        Assert.DoesNotContain(peer, h.Router.MeshPeers(Topic));
        Assert.True(h.Router.Score(peer) < 0, $"score {h.Router.Score(peer)}");
    }

    [Fact]
    public void Graft_for_a_topic_we_did_not_join_is_refused_without_peer_exchange()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        h.AddPeers(3);
        PeerId peer = h.AddPeer(topics: "other");
        h.Take();
        h.Control(peer, new ControlMessage { Graft = { new ControlGraft { TopicID = "other" } } });
        var prune = Assert.Single(Select(h.Take(), r => r.Control?.Prune));
        Assert.Equal("other", prune.Item.TopicID);
        Assert.Empty(prune.Item.Peers);
    }

    [Fact]
    public void Prune_to_a_v1_0_peer_carries_neither_backoff_nor_peer_exchange()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        h.AddPeers(13);
        PeerId old = h.AddPeer(GossipProtocol.Meshsub10, topics: Topic);
        foreach (PeerId p in h.Router.TopicPeers(Topic))
        {
            h.Control(p, Graft);
        }
        h.Take();
        // The mesh holds D_hi; whatever it refused or will prune, the v1.0 peer's PRUNEs are bare.
        h.Heartbeats(1);
        foreach (var (peer, prune) in Select(h.Take(), r => r.Control?.Prune))
        {
            if (peer.Equals(old))
            {
                Assert.False(prune.HasBackoff);
                Assert.Empty(prune.Peers);
            }
            else
            {
                Assert.Equal(60UL, prune.Backoff);
            }
        }
    }
}
