using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.0.md "Mesh Maintenance" and v1.1 "Outbound Mesh Quotas" / "Opportunistic Grafting".</summary>
public class HeartbeatMeshTests
{
    [Fact]
    public void Subscribe_grafts_D_of_the_topic_peers()
    {
        var h = new RouterHarness();
        h.AddPeers(20);
        h.Take();
        h.Router.Subscribe(Topic);
        List<OutboundRpc> sent = h.Take();
        Assert.Equal(h.Options.D, h.Router.MeshPeers(Topic).Count);
        Assert.Equal(h.Router.MeshPeers(Topic).ToHashSet(), GraftedPeers(sent));
        // Every peer hears of the subscription.
        Assert.Equal(20, Select(sent, r => r.Subscriptions).Count(x => x.Item.Subscribe && x.Item.Topicid == Topic));
    }

    [Fact]
    public void Mesh_below_D_low_is_filled_to_D_on_the_heartbeat()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(3);
        h.Heartbeats(1);
        Assert.Equal(3, h.Router.MeshPeers(Topic).Count);
        peers.AddRange(h.AddPeers(10));
        h.Take();
        h.Heartbeats(1);
        Assert.Equal(h.Options.D, h.Router.MeshPeers(Topic).Count);
        Assert.Equal(3, GraftedPeers(h.Take()).Count);
    }

    [Fact]
    public void Mesh_above_D_high_is_pruned_to_D_keeping_D_out_outbound_peers()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> inbound = h.AddPeers(13);
        List<PeerId> outbound = h.AddPeers(2, outbound: true);
        h.Take();
        foreach (PeerId p in inbound.Concat(outbound))
        {
            h.Control(p, new ControlMessage { Graft = { new ControlGraft { TopicID = Topic } } });
        }
        // Inbound grafts stop at D_hi (the rest are pruned with PX); outbound ones always get in.
        Assert.Equal(h.Options.DHigh + 2, h.Router.MeshPeers(Topic).Count);
        h.Take();
        h.Heartbeats(1);
        IReadOnlyCollection<PeerId> mesh = h.Router.MeshPeers(Topic);
        Assert.Equal(h.Options.D, mesh.Count);
        Assert.True(mesh.Count(outbound.Contains) >= h.Options.DOut);
        HashSet<PeerId> pruned = PrunedPeers(h.Take());
        Assert.Equal(h.Options.DHigh + 2 - h.Options.D, pruned.Count);
        Assert.DoesNotContain(pruned, mesh.Contains);
    }

    [Fact]
    public void Outbound_quota_is_topped_up_when_the_mesh_is_otherwise_full()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        h.AddPeers(8);
        h.Heartbeats(1);
        Assert.Equal(h.Options.D, h.Router.MeshPeers(Topic).Count);
        List<PeerId> outbound = h.AddPeers(3, outbound: true);
        h.Take();
        h.Heartbeats(1);
        Assert.Equal(h.Options.DOut, h.Router.MeshPeers(Topic).Count(outbound.Contains));
    }

    [Fact]
    public void Peer_that_unsubscribes_leaves_the_mesh()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(4);
        h.Heartbeats(1);
        PeerId leaving = peers[0];
        h.Router.HandleRpc(leaving, new RPC { Subscriptions = { new RPC.Types.SubOpts { Subscribe = false, Topicid = Topic } } });
        Assert.DoesNotContain(leaving, h.Router.MeshPeers(Topic));
        Assert.DoesNotContain(leaving, h.Router.TopicPeers(Topic));
    }

    [Fact]
    public void Floodsub_peers_are_never_grafted_but_get_every_message()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        PeerId flood = h.AddPeer(GossipProtocol.Floodsub, topics: Topic);
        PeerId gossip = h.AddPeer(topics: Topic);
        h.Heartbeats(1);
        Assert.DoesNotContain(flood, h.Router.MeshPeers(Topic));
        h.Take();
        h.Receive(gossip, NewMessage());
        Assert.Contains(flood, MessageRecipients(h.Take()));
    }

    [Fact]
    public void Unsubscribe_prunes_mesh_peers_with_the_unsubscribe_backoff()
    {
        var h = new RouterHarness();
        h.AddPeers(5);
        h.Router.Subscribe(Topic);
        h.Take();
        h.Router.Unsubscribe(Topic);
        var prunes = Select(h.Take(), r => r.Control?.Prune).ToList();
        Assert.Equal(5, prunes.Count);
        Assert.All(prunes, p => Assert.Equal((ulong)h.Options.UnsubscribeBackoff.TotalSeconds, p.Item.Backoff));
        Assert.False(h.Router.IsSubscribed(Topic));
    }

    [Fact]
    public void Opportunistic_grafting_adds_better_peers_when_the_median_score_is_low()
    {
        var good = new HashSet<PeerId>();
        var h = new RouterHarness(ScoredOptions(appScore: p => good.Contains(p) ? 20 : 0));
        h.Router.Subscribe(Topic);
        h.AddPeers(6);
        h.Heartbeats(1);
        List<PeerId> better = h.AddPeers(3);
        good.UnionWith(better);
        h.Take();
        h.Heartbeats(h.Options.OpportunisticGraftTicks - 1);
        Assert.Equal(h.Options.OpportunisticGraftPeers, h.Router.MeshPeers(Topic).Count(good.Contains));
    }
}
