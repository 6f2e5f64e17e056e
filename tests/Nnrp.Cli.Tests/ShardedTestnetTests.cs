using Xunit.Abstractions;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Issue 15, the CI run of the sharded loopback testnet (<see cref="ShardedTestnet"/>): 12 real
/// `nnrp node` processes whose budgets make the depth planner split them into two shards,
/// 200 notifications through the wallet SDK, 3 nodes of one shard killed with SIGKILL and
/// restarted. `make testnet-shards` runs the same scenario with 2 000 notifications.
/// </summary>
public sealed class ShardedTestnetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Twelve_sharded_nodes_keep_every_notification_on_three_holders_within_budget_through_a_kill_and_a_seed_restore()
    {
        var options = new ShardedTestnetOptions { Notifications = 200 };
        await using var net = new ShardedTestnet(options, output.WriteLine);
        await net.RunAsync();
        output.WriteLine(net.Figures.ToMarkdown(options, net.NotificationSize, net.Budget));

        Assert.Empty(net.Failures);
        Assert.Equal(options.Notifications, net.Figures.Check2!.Notifications);
        Assert.True(net.Figures.Check2.MinCopies >= ShardedTestnet.MinHolders);
        Assert.All(net.Figures.Nodes, n => Assert.Equal($"{ShardedTestnet.Depth}/{ShardedTestnet.HalfOf(n.Index)}", n.Shards));
        Assert.All(net.Figures.Nodes, n => Assert.InRange(n.PeakBytes, 1, net.Budget));
        Assert.Equal(net.Figures.RestoredWanted, net.Figures.Restored);
        Assert.True(net.Figures.RestoredWanted > 0);
    }
}
