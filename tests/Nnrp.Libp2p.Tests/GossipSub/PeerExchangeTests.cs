using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.1.md "Peer Exchange".</summary>
public class PeerExchangeTests
{
    private static ControlPrune PruneWith(params PeerId[] peers) =>
        new() { TopicID = Topic, Backoff = 60, Peers = { peers.Select(p => new PeerInfo { PeerID = ByteString.CopyFrom(p.Bytes.Span) }) } };

    [Fact]
    public void Px_from_a_well_scored_pruner_yields_peers_to_dial()
    {
        PeerId trusted = NewPeerKey();
        var h = new RouterHarness(ScoredOptions(appScore: p => p.Equals(trusted) ? 10 : 0));
        h.Router.Subscribe(Topic);
        h.Router.AddPeer(trusted, GossipProtocol.Meshsub11, outbound: true, null);
        PeerId a = NewPeerKey(), b = NewPeerKey();
        h.Control(trusted, new ControlMessage { Prune = { PruneWith(a, b) } });
        Assert.Equal(new HashSet<PeerId> { a, b }, h.Router.TakePeerExchange().Select(c => c.Peer).ToHashSet());
    }

    [Fact]
    public void Px_from_a_peer_below_accept_px_threshold_is_ignored()
    {
        var h = new RouterHarness(ScoredOptions());
        h.Router.Subscribe(Topic);
        PeerId pruner = h.AddPeer(topics: Topic);
        h.Control(pruner, new ControlMessage { Prune = { PruneWith(NewPeerKey()) } });
        Assert.Empty(h.Router.TakePeerExchange());
    }

    [Fact]
    public void Prune_of_an_oversubscribed_mesh_offers_other_topic_peers()
    {
        var h = new RouterHarness();
        h.Router.Subscribe(Topic);
        List<PeerId> peers = h.AddPeers(20);
        foreach (PeerId p in peers)
        {
            h.Control(p, new ControlMessage { Graft = { new ControlGraft { TopicID = Topic } } });
        }
        var prunes = Select(h.Take(), r => r.Control?.Prune).ToList();
        Assert.NotEmpty(prunes);
        Assert.All(prunes, x =>
        {
            Assert.InRange(x.Item.Peers.Count, 1, h.Options.PrunePeers);
            Assert.DoesNotContain(ByteString.CopyFrom(x.Peer.Bytes.Span), x.Item.Peers.Select(i => i.PeerID));
        });
    }
}
