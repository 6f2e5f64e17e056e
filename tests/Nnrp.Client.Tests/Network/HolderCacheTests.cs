using Nnrp.Client.Network;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Client.Tests.Network;

/// <summary>
/// NNRP.md §8.4 "Finding holders", the client's cache: a verified holder is reused for every tag
/// its status covers, for a bounded time, deepest shard first, and never after it failed.
/// </summary>
public sealed class HolderCacheTests
{
    private static readonly RecipientTag Tag = Samples.SeedKey.Tag; // top byte 0xf6

    private readonly Clock _clock = new();

    private static Shard S(uint bits, uint index) => new() { Bits = bits, Index = index };

    private static (Holder, StatusResponse) Verified(int depth, params Shard[] shards)
    {
        using var key = KeyPair.Generate();
        var node = NodeAddress.Parse("/ip4/127.0.0.1/tcp/4001/p2p/" + key.PeerId);
        var status = new StatusResponse();
        status.Shards.Add(shards);
        return (new Holder(node, HolderSource.Dht, depth, Verified: true), status);
    }

    private static RecipientTag TagWithTopByte(byte top)
    {
        byte[] bytes = Tag.ToArray();
        bytes[0] = top;
        bytes[^1] ^= 0x5a; // another recipient
        return RecipientTag.FromBytes(bytes);
    }

    [Fact]
    public void A_holder_is_offered_for_every_tag_its_status_covers_and_no_other()
    {
        var cache = new HolderCache(_clock);
        (Holder deep, StatusResponse deepStatus) = Verified(8, S(8, 0xf6));
        (Holder mid, StatusResponse midStatus) = Verified(4, S(4, 0xf));
        cache.Add(mid, midStatus);
        cache.Add(deep, deepStatus);

        Assert.Equal([deep, mid], cache.Covering(TagWithTopByte(0xf6)).Select(c => c.Holder)); // deepest first
        Assert.Equal([mid], cache.Covering(TagWithTopByte(0xf1)).Select(c => c.Holder));
        Assert.Empty(cache.Covering(TagWithTopByte(0x16)));
    }

    [Fact]
    public void A_holder_is_not_offered_after_the_ttl_nor_after_it_failed()
    {
        var cache = new HolderCache(_clock);
        (Holder a, StatusResponse aStatus) = Verified(8, S(8, 0xf6));
        (Holder b, StatusResponse bStatus) = Verified(8, S(8, 0xf6));
        cache.Add(a, aStatus);
        _clock.Now += HolderCache.Ttl / 2;
        cache.Add(b, bStatus);

        cache.Forget(b.Node.Key);
        Assert.Equal([a], cache.Covering(Tag).Select(c => c.Holder));

        _clock.Now += HolderCache.Ttl / 2;
        Assert.Empty(cache.Covering(Tag));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_cache_holds_a_bounded_number_of_nodes_dropping_the_oldest()
    {
        var cache = new HolderCache(_clock);
        (Holder first, StatusResponse firstStatus) = Verified(8, S(8, 0xf6));
        cache.Add(first, firstStatus);
        for (int i = 1; i <= HolderCache.MaxNodes; i++)
        {
            _clock.Now += TimeSpan.FromMilliseconds(1);
            (Holder h, StatusResponse s) = Verified(8, S(8, 0xf6));
            cache.Add(h, s);
        }

        Assert.Equal(HolderCache.MaxNodes, cache.Count);
        Assert.DoesNotContain(first, cache.Covering(Tag).Select(c => c.Holder));
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
