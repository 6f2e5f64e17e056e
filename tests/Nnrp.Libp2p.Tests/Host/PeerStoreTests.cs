using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Host;

/// <summary>The address book stays bounded whatever strangers tell it.</summary>
public sealed class PeerStoreTests
{
    [Fact]
    public void Addresses_are_deduplicated_stripped_of_p2p_and_capped()
    {
        using var key = KeyPair.Generate();
        var store = new PeerStore();
        var many = Enumerable.Range(1, 100).Select(i => Multiaddr.Parse($"/ip4/10.0.0.{i % 250 + 1}/tcp/4001")).ToList();
        many.Add(Multiaddr.Parse("/ip4/10.0.0.2/tcp/4001").WithPeerIdMultihash(key.PeerId.Bytes.Span));

        store.AddAddresses(key.PeerId, many);

        IReadOnlyList<Multiaddr> kept = store.GetAddresses(key.PeerId);
        Assert.Equal(PeerStore.MaxAddressesPerPeer, kept.Count);
        Assert.Equal(kept.Count, kept.Distinct().Count());
        Assert.All(kept, a => Assert.Null(a.PeerIdMultihash));
    }

    [Fact]
    public void The_newest_addresses_come_first()
    {
        using var key = KeyPair.Generate();
        var store = new PeerStore();
        store.AddAddresses(key.PeerId, [Multiaddr.Parse("/ip4/10.0.0.1/tcp/1")]);
        store.AddAddresses(key.PeerId, [Multiaddr.Parse("/ip4/10.0.0.2/tcp/2")]);

        Assert.Equal("/ip4/10.0.0.2/tcp/2", store.GetAddresses(key.PeerId)[0].ToString());
    }

    [Fact]
    public void A_full_store_evicts_the_peer_seen_longest_ago()
    {
        var time = new ManualTime();
        var store = new PeerStore(maxPeers: 3, time);
        var keys = Enumerable.Range(0, 4).Select(_ => KeyPair.Generate()).ToArray();
        foreach (KeyPair k in keys)
        {
            store.Touch(k.PeerId);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, store.Count);
        Assert.Null(store.Get(keys[0].PeerId));
        Assert.NotNull(store.Get(keys[3].PeerId));
        foreach (KeyPair k in keys)
        {
            k.Dispose();
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
