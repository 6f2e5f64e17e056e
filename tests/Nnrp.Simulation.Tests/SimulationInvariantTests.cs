using Nnrp.Simulation;
using Nnrp.Simulation.Report;

namespace Nnrp.Simulation.Tests;

/// <summary>
/// What must hold in any run of the simulation (issue 15 item 4), on a network small enough for
/// `make test`: 60 nodes, a quarter of an hour of virtual time, budgets small enough that the
/// sharded network is 1–2 bits deep. The sweep itself is `make simulate`.
/// </summary>
public sealed class SimulationInvariantTests
{
    private static SimulationSettings Small(bool sharded, int seed = 7) => new()
    {
        Nodes = 60,
        Sharded = sharded,
        Seed = seed,
        Duration = TimeSpan.FromMinutes(15),
        // V is about 60 × 100 × 1 000 × 1.1 KB = 6.6 GB: these budgets put nodes 1 and 2 bits deep,
        // 6 shards' worth of depth-2 holders each (well above 3 even with churn), and enough
        // recipients per shard that no single long-tail recipient fills one.
        RecipientsPerNode = 100,
        BudgetsBytes = [2560L << 20, 5120L << 20],
        WalkedPublishes = 100,
        RestoredWallets = int.MaxValue, // every recipient's notifications are traced hop by hop
        ChurnPerHour = 0.4,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_published_notification_is_held_by_at_least_three_nodes_of_its_shard(bool sharded)
    {
        RunResult run = Simulation.Run(Small(sharded));

        Assert.True(run.Published > 50, $"only {run.Published} notifications published");
        Assert.True(run.MinTracedHolders >= 3, $"a notification is held by {run.MinTracedHolders} nodes");
    }

    [Fact]
    public void Sharded_nodes_store_a_fraction_of_full_replication_and_stay_within_their_budget()
    {
        RunResult sharded = Simulation.Run(Small(sharded: true));
        RunResult full = Simulation.Run(Small(sharded: false));

        Assert.True(sharded.MeanDepth >= 1, $"mean depth {sharded.MeanDepth}");
        Assert.True(sharded.StoredBytes.Mean < full.StoredBytes.Mean / 2, $"sharded {sharded.StoredBytes.Mean} vs full {full.StoredBytes.Mean}");
        // §8.2 keeps a node's own share under 3/4 of its budget; only §8.6 repair shards can add more.
        Assert.Equal(0, sharded.OverBudgetWithoutRepair);
        Assert.True(sharded.GossipBytesPerHour.Mean < full.GossipBytesPerHour.Mean * 0.6, $"gossip sharded {sharded.GossipBytesPerHour.Mean} vs full {full.GossipBytesPerHour.Mean}");
        Assert.True(sharded.MinShardHolders >= 3, $"a shard has {sharded.MinShardHolders} holders");
    }

    [Fact]
    public void With_budgets_too_tight_for_a_second_whole_shard_repair_still_keeps_three_holders_of_every_tag()
    {
        // NNRP.md §8.6 repair depth. These budgets put nodes 3–4 bits deep with most home shares
        // above 3/8 of the budget: no room for a whole second shard, room for a part of one.
        // Random homes left a shard with 1 holder when repair took whole shards only.
        RunResult run = Simulation.Run(Small(sharded: true) with { BudgetsBytes = [640L << 20, 1280L << 20] });

        Assert.True(run.MeanDepth >= 3, $"mean depth {run.MeanDepth}");
        Assert.True(run.MinShardHolders >= 3, $"a tag is held by {run.MinShardHolders} nodes");
    }

    [Fact]
    public void A_wallet_restored_from_its_seed_after_churn_finds_its_notifications()
    {
        RunResult run = Simulation.Run(Small(sharded: true));

        Assert.True(run.Churned > 0, "no node left during the run");
        Assert.True(run.Wallets > 20, $"{run.Wallets} wallets restored");
        Assert.Equal(1.0, run.FetchFound, 3);
        Assert.True(run.PublishSuccess > 0.95, $"publish success {run.PublishSuccess}");
    }

    [Fact]
    public void A_run_is_a_function_of_its_seed()
    {
        string first = Row(Simulation.Run(Small(true, seed: 11)));
        string again = Row(Simulation.Run(Small(true, seed: 11)));
        string other = Row(Simulation.Run(Small(true, seed: 12)));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    /// <summary>The CSV row without the wall time (the one figure that depends on the machine).</summary>
    private static string Row(RunResult run) => ResultTable.Csv([run with { WallSeconds = 0 }]).Split('\n')[1];
}
