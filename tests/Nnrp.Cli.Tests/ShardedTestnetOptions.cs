namespace Nnrp.Cli.Tests;

/// <summary>
/// The sharded loopback testnet's size (issue 15): how many node processes, notifications,
/// tags and killed nodes. <c>make testnet-shards</c> runs the defaults; the CI test scales the
/// notification count down and keeps 12 processes and 3 killed.
/// </summary>
internal sealed record ShardedTestnetOptions
{
    /// <summary>Node processes; home shards are placed so that each half of the tag space has Nodes / 2 of them.</summary>
    public int Nodes { get; init; } = 12;

    public int Notifications { get; init; } = 2000;

    /// <summary>Notifications per recipient tag (so Notifications / PerTag tags).</summary>
    public int PerTag { get; init; } = 10;

    /// <summary>Recipient keys per wallet seed (NNRP.md §9 indexes 0 … n − 1).</summary>
    public int IndexesPerSeed { get; init; } = 4;

    /// <summary>Nodes killed with SIGKILL (all of one shard, so that shard keeps only the rest) and restarted.</summary>
    public int Killed { get; init; } = 3;

    /// <summary>The share of notifications published before the kill; the rest go out while the killed nodes are down.</summary>
    public double BeforeKill { get; init; } = 0.8;

    /// <summary>Wallet clients publishing at once.</summary>
    public int Publishers { get; init; } = 4;

    /// <summary>How long the nodes get to reach their shard and catch up (after the first phase, and after the restart).</summary>
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Seconds between sync rounds (NNRP.md §11.8.7).</summary>
    public double SyncIntervalSeconds { get; init; } = 2;

    public int Tags => Math.Max(1, Notifications / PerTag);

    public int Seeds => (Tags + IndexesPerSeed - 1) / IndexesPerSeed;
}
