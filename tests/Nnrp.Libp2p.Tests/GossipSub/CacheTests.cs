using Nnrp.Libp2p.GossipSub.Cache;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>gossipsub-v1.0.md "Message Cache" and pubsub/README.md seen-cache rules.</summary>
public class CacheTests
{
    private static (MessageId Id, Message Message) Make(int seed, string topic = RouterHarness.Topic)
    {
        Message m = RouterHarness.NewMessage(seed: seed, topic: topic);
        return (RouterHarness.IdOf(m), m);
    }

    [Fact]
    public void Gossip_names_only_the_newest_history_gossip_windows()
    {
        var cache = new MessageCache(historyLength: 5, gossipWindows: 3);
        var ids = new List<MessageId>();
        for (int window = 0; window < 5; window++)
        {
            var (id, m) = Make(window);
            cache.Put(id, m);
            ids.Add(id);
            cache.Shift();
        }
        // Windows now hold (newest first): empty, m4, m3, m2, m1 — m0 has been shifted out.
        Assert.Equal([ids[4], ids[3]], cache.GetGossipIds(RouterHarness.Topic));
        Assert.False(cache.TryGet(ids[0], out _));
        Assert.True(cache.TryGet(ids[1], out _));
        Assert.Empty(cache.GetGossipIds("other"));
    }

    [Fact]
    public void Message_leaves_the_cache_after_history_length_shifts()
    {
        var cache = new MessageCache(historyLength: 5, gossipWindows: 3);
        var (id, m) = Make(1);
        cache.Put(id, m);
        for (int i = 0; i < 4; i++)
        {
            cache.Shift();
            Assert.True(cache.TryGet(id, out _));
        }
        cache.Shift();
        Assert.False(cache.TryGet(id, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Iwant_answers_stop_after_gossip_retransmission_per_peer()
    {
        var cache = new MessageCache(5, 3);
        var (id, m) = Make(2);
        cache.Put(id, m);
        PeerId a = RouterHarness.NewPeerKey(), b = RouterHarness.NewPeerKey();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(cache.TryGetForPeer(id, a, 3, out _));
        }
        Assert.False(cache.TryGetForPeer(id, a, 3, out _));
        Assert.True(cache.TryGetForPeer(id, b, 3, out _));
    }

    [Fact]
    public void Seen_ids_are_duplicates_until_the_ttl_passes()
    {
        var time = new ManualTime();
        var seen = new SeenCache(TimeSpan.FromSeconds(120), time);
        var (id, _) = Make(3);
        Assert.True(seen.Add(id));
        Assert.False(seen.Add(id));
        time.Advance(TimeSpan.FromSeconds(119));
        Assert.True(seen.Contains(id));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(seen.Contains(id));
        Assert.True(seen.Add(id));
    }
}
