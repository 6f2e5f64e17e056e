using Nnrp.Simulation;
using Nnrp.Simulation.Report;
using Nnrp.Simulation.Sync;

namespace Nnrp.Simulation.Tests;

/// <summary>
/// The simulation with the production sync state machines on every node (`--sync real`, on
/// the real routers): nodes leave and come back inside the window, missing what was published
/// meanwhile, which gossip does not replay. §11.8 must bring every one of those back, and a
/// converged network's periodic sessions must not re-walk its history (§11.8.7 "Scope").
/// </summary>
public sealed class RealSyncTests(RealSyncTests.Run run) : IClassFixture<RealSyncTests.Run>
{
    private static SimulationSettings Settings(int seed, TimeSpan? window = null) =>
        RealGossipTests.Settings(seed) with { Sync = SyncMode.Real, SyncRecentWindow = window };

    public sealed class Run
    {
        internal RunResult Result { get; } = Simulation.Run(Settings(seed: 5));
    }

    private SyncFigures Sync => run.Result.SyncReal ?? throw new InvalidOperationException("the run had no real sync");

    [Fact]
    public void A_returning_node_gets_back_by_sync_everything_published_while_it_was_away()
    {
        Assert.True(Sync.CatchUpsStarted > 0, "no node came back having missed anything");
        Assert.True(Sync.Pulled > 0, "sync pulled nothing");
        Assert.Equal(0, Sync.StillMissingAvailable);
        Assert.Equal(Sync.CatchUpsStarted, Sync.CatchUpsDone);
    }

    [Fact]
    public void A_return_syncs_whole_with_its_connections_and_periodic_sessions_only_the_last_day()
    {
        Assert.True(Sync.WholeSessions > 0, "no whole session after a return");
        Assert.True(Sync.WholeSessions < Sync.Sessions / 2, $"{Sync.WholeSessions} of {Sync.Sessions} sessions walked everything");
    }

    [Fact]
    public void Periodic_sessions_over_the_whole_history_cost_many_times_the_rounds()
    {
        RunResult whole = Simulation.Run(Settings(seed: 5, window: TimeSpan.FromDays(90)));

        double scoped = (double)Sync.PeriodicRounds / Sync.PeriodicSessions;
        double all = (double)whole.SyncReal!.PeriodicRounds / whole.SyncReal.PeriodicSessions;
        // §11.8.3: a shard of n converged items costs ⌈n / 12 288⌉ rounds; its last day, one.
        Assert.True(all > 10 * scoped, $"{all:0.0} rounds per periodic session walking everything, {scoped:0.0} with the 24 h scope");
        Assert.True(whole.SyncBytesPerHourMean > 2 * run.Result.SyncBytesPerHourMean);
    }

    [Fact]
    public void Periodic_sessions_go_to_peers_that_share_a_shard()
    {
        // §11.8.7: 3 peers every 30 s; nodes here are 2–3 bits deep, so a random connection shares
        // a shard with a node about a quarter of the time, and a tick spent on one that does not
        // runs no session (§11.8.8). Picking at random ran 18 % of the picks as sessions; preferring
        // peers whose status overlaps runs 46 % in this short window (statuses are learnt a few a tick).
        double ticks = run.Result.Nodes * Settings(5).Duration.TotalSeconds / 30.0 * 3;
        double share = Sync.PeriodicSessions / ticks;
        Assert.True(share > 0.35, $"{Sync.PeriodicSessions} periodic sessions of about {ticks:0} picks ({share:P0})");
    }

    [Fact]
    public void A_real_sync_run_is_a_function_of_its_seed()
    {
        RunResult again = Simulation.Run(Settings(seed: 5));

        Assert.Equal(Row(run.Result), Row(again));
    }

    private static string Row(RunResult result) => ResultTable.Csv([result with { WallSeconds = 0 }]).Split('\n')[1];
}
