using System.Security.Cryptography;
using Nnrp.Node.Shards;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §8.1: shards, sets, home placement and the setting.</summary>
public sealed class ShardSetTests
{
    [Fact]
    public void A_shard_covers_the_tags_whose_top_bits_are_its_index()
    {
        var shard = new ShardId(4, 0b1010);
        Assert.True(shard.Covers(Notifications.TagStartingWith(0b1010_0110)));
        Assert.False(shard.Covers(Notifications.TagStartingWith(0b1011_0110)));
        Assert.True(shard.Covers((ushort)0b1010_0000_0000_0001));
        Assert.True(ShardId.Full.Covers(Notifications.RandomTag()));
    }

    [Fact]
    public void Overlapping_shards_intersect_in_the_deeper_one_and_disjoint_ones_in_nothing()
    {
        var a = new ShardId(2, 1);
        var inside = new ShardId(5, 0b01_011);
        var outside = new ShardId(5, 0b10_011);
        Assert.Equal(inside, a.Intersect(inside));
        Assert.Equal(inside, inside.Intersect(a));
        Assert.Null(a.Intersect(outside));
        Assert.Equal(a, ShardId.Full.Intersect(a));
    }

    [Fact]
    public void Home_placement_deepens_in_place()
    {
        byte[] peer = RandomNumberGenerator.GetBytes(38);
        for (int bits = 0; bits < ShardId.MaxBits; bits++)
        {
            ShardId home = ShardId.Home(peer, bits);
            ShardId deeper = ShardId.Home(peer, bits + 1);
            Assert.True(home.Contains(deeper));
            Assert.Equal(home, deeper.Parent);
            Assert.NotEqual(deeper, deeper.Sibling);
            Assert.Equal(home, deeper.Sibling.Parent);
        }
        byte[] digest = SHA256.HashData(peer);
        Assert.Equal((uint)digest[0], ShardId.Home(peer, 8).Index);
    }

    [Fact]
    public void A_set_holds_a_tag_iff_one_of_its_shards_covers_it_and_stays_minimal()
    {
        var set = new ShardSet([new ShardId(3, 1), new ShardId(5, 0b001_01), new ShardId(1, 1)]);
        Assert.Equal(["1/1", "3/1"], set.Shards.Select(s => s.ToString()));
        Assert.Equal(1, set.ShallowestBits);
        Assert.True(set.Holds(Notifications.TagStartingWith(0b1000_0000)));
        Assert.True(set.Holds(Notifications.TagStartingWith(0b0010_0000)));
        Assert.False(set.Holds(Notifications.TagStartingWith(0b0100_0000)));
    }

    [Fact]
    public void The_setting_parses_auto_full_and_lists_and_refuses_the_rest()
    {
        Assert.True(ShardSetting.Parse("auto").IsAuto);
        Assert.Equal(ShardSet.Full, ShardSetting.Parse("full").Fixed);
        Assert.Equal("2/1,4/0", ShardSetting.Parse("4/0,2/1").ToString());
        foreach (string bad in new[] { "", "x", "17/0", "3/8", "1/1,2/3", "2/1,2/1", "-1/0", "2/", "2/1/1" })
        {
            Assert.Throws<FormatException>(() => ShardSetting.Parse(bad));
        }
    }

    [Fact]
    public void Only_shards_a_node_may_hold_come_off_the_wire()
    {
        Assert.Equal(ShardId.Full, ShardId.FromProto(null));
        Assert.Equal(new ShardId(16, 65535), ShardId.FromProto(new Core.Protocol.Shard { Bits = 16, Index = 65535 }));
        Assert.Null(ShardId.FromProto(new Core.Protocol.Shard { Bits = 17, Index = 0 }));
        Assert.Null(ShardId.FromProto(new Core.Protocol.Shard { Bits = 3, Index = 8 }));
    }

    [Fact]
    public void Intersections_list_each_common_shard_once()
    {
        var mine = new ShardSet([new ShardId(2, 1), new ShardId(3, 6)]);
        IReadOnlyList<ShardId> common = mine.Intersections([ShardId.Full, new ShardId(4, 0b0101), new ShardId(1, 0)]);
        Assert.Equal(["2/1", "3/6", "4/5"], common.Select(s => s.ToString()).Order());
        Assert.Empty(mine.Intersections([new ShardId(2, 0)]));
    }
}
