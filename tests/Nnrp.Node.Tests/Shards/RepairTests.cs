using Nnrp.Node.Shards;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §8.6: a node with room for another shard takes up an under-replicated one, provides it once synced, and gives it back.</summary>
public sealed class RepairTests
{
    [Fact]
    public void A_repair_shard_is_held_at_once_provided_once_synced_and_given_back()
    {
        byte[] peer = System.Security.Cryptography.RandomNumberGenerator.GetBytes(38);
        var shards = new ShardResponsibility(ShardSetting.Auto, peer, depth: 2);
        ShardId home = ShardId.Home(peer, 2);
        ShardId other = new(2, home.Index ^ 3);

        Assert.False(shards.TakeUp(home));   // already held
        Assert.True(shards.TakeUp(other));
        Assert.Equal(new ShardSet([home, other]), shards.Held);
        Assert.Equal(new ShardSet([home]), shards.Provided);

        Assert.True(shards.RepairSynced(other));
        Assert.Equal(new ShardSet([home, other]), shards.Provided);

        Assert.True(shards.Release(other));
        Assert.Equal(new ShardSet([home]), shards.Held);
        Assert.Equal(new ShardSet([home]), shards.Provided);
        Assert.Empty(shards.Repairs);
    }

    [Fact]
    public void A_node_takes_up_at_most_four_repair_shards_and_a_fixed_node_none()
    {
        byte[] peer = System.Security.Cryptography.RandomNumberGenerator.GetBytes(38);
        var shards = new ShardResponsibility(ShardSetting.Auto, peer, depth: 4);
        uint home = ShardId.Home(peer, 4).Index;
        int taken = Enumerable.Range(0, 16).Where(i => i != home).Count(i => shards.TakeUp(new ShardId(4, (uint)i)));
        Assert.Equal(ShardResponsibility.MaxRepairShards, taken);
        Assert.False(new ShardResponsibility(ShardSetting.Parse("4/1"), peer).TakeUp(new ShardId(4, 2)));
    }

    [Theory]
    // No estimate yet: the node's own depth, and only under half full.
    [InlineData(400, null, 2, 2)]
    [InlineData(500, null, 2, null)]
    // 60 % full, a depth-2 shard of V̂ / 4 = 100 more: 700 ≤ 750, its own depth (half full alone said no).
    [InlineData(600, 400UL, 2, 2)]
    // 60 % full, a depth-2 shard of 200 is too much, a depth-3 one of 100 fits.
    [InlineData(600, 800UL, 2, 3)]
    // 70 % full: only a quarter of a home shard (depth 4, 50 bytes) fits, 700 + 50 ≤ 750.
    [InlineData(700, 800UL, 2, 4)]
    // 72 % full: an eighth (depth 5, 25 bytes), 720 + 25 ≤ 750, the deepest a repair goes.
    [InlineData(720, 800UL, 2, 5)]
    [InlineData(730, 800UL, 2, null)]
    // Full to the ceiling: nothing fits, not even 3 bits deeper.
    [InlineData(750, 800UL, 2, null)]
    // Never deeper than 16 bits.
    [InlineData(0, ulong.MaxValue, 15, null)]
    public void A_node_repairs_at_the_shallowest_depth_whose_shard_fits_under_three_quarters_of_its_budget(long stored, ulong? estimate, int depth, int? repairDepth)
    {
        Assert.Equal(repairDepth, DepthPlanner.RepairDepth(stored, estimate, depth, budget: 1000));
    }

    [Fact]
    public async Task A_node_with_spare_budget_takes_up_a_shard_no_one_provides()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: o =>
        {
            // Restart at depth 1, as a node that deepened before would (§8.5 shards.json).
            File.WriteAllText(Path.Combine(o.DataDirectory, "shards.json"), "{\"depth\":1}");
            return o;
        });
        NnrpNode node = net.Node;
        ShardId home = ShardId.Home(node.PeerId.Bytes.Span, 1);
        Assert.Equal(new ShardSet([home]), node.HeldShards);

        using var limit = new CancellationTokenSource(NodeNetwork.Limit);
        // Each evaluation checks one random shard at depth 1: the sibling half of the time.
        while (node.Shards.Repairs.Count == 0)
        {
            await node.EvaluateShardsAsync(limit.Token);
        }

        Assert.Equal([home.Sibling], node.Shards.Repairs);
        Assert.Equal(new ShardSet([home, home.Sibling]), node.HeldShards);
        Assert.Equal([home], node.ProvidedShards);
    }
}
