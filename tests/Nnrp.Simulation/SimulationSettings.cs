namespace Nnrp.Simulation;

/// <summary>One run's parameters. Every figure the production code fixes is read from it (see the properties' comments), not repeated here.</summary>
internal sealed record SimulationSettings
{
    public int Nodes { get; init; } = 100;

    /// <summary>True: every node's shard set follows its budget (§8.2 `auto`); false: every node holds (0, 0).</summary>
    public bool Sharded { get; init; } = true;

    public int Seed { get; init; } = 1;

    /// <summary>The model (default, every size in minutes) or the production router on every node (docs/SCALE.md "Real router vs model").</summary>
    public Gossip.GossipMode Gossip { get; init; } = Nnrp.Simulation.Gossip.GossipMode.Model;

    /// <summary>Sync by volume (default) or the production sync state machines on every node (needs <see cref="Gossip"/> real; docs/SCALE.md "Real sync").</summary>
    public Sync.SyncMode Sync { get; init; } = Nnrp.Simulation.Sync.SyncMode.Model;

    /// <summary>Real sync: the periodic sessions' window (§11.8.7 "Scope"); null: the node's default. 2160 h (90 days) makes every session walk everything, as before the scope rule.</summary>
    public TimeSpan? SyncRecentWindow { get; init; }

    /// <summary>Router mode: virtual time the routers run before the measured window, to connect, subscribe and build their meshes.</summary>
    public TimeSpan GossipWarmUp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Measured virtual time (after the network has formed).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(1);

    public int MinLatencyMs { get; init; } = 20;

    public int MaxLatencyMs { get; init; } = 200;

    /// <summary>False: a request to an offline node is refused after a round trip (its process stopped); true: it times out (the host vanished).</summary>
    public bool OfflineSilent { get; init; }

    /// <summary>Per-message loss on every link.</summary>
    public double Loss { get; init; } = 0.01;

    /// <summary>Active recipients per node: the network's users grow with it.</summary>
    public int RecipientsPerNode { get; init; } = 10;

    /// <summary>DESIGN.md's arithmetic: 1 000 notifications per recipient per 90 days on average.</summary>
    public double MeanNotificationsPer90Days { get; init; } = 1000;

    /// <summary>Pareto shape of a recipient's rate (long tail: a few merchants, many occasional payees).</summary>
    public double RateParetoShape { get; init; } = 1.5;

    /// <summary>A recipient's rate is capped below the per-tag escalation (64 an hour, DESIGN.md): 100 000 per 90 days is 46 an hour.</summary>
    public double MaxNotificationsPer90Days { get; init; } = 100_000;

    /// <summary>Sealed payload bytes of one notification (DESIGN.md: "1 KB").</summary>
    public int PayloadBytes { get; init; } = 1024;

    /// <summary>Storage budgets (`--store-max-bytes`) of sharded nodes, one drawn per node.</summary>
    public long[] BudgetsBytes { get; init; } = [2L << 30, 8L << 30, 32L << 30];

    /// <summary>Fraction of nodes that leave (and come back) per hour.</summary>
    public double ChurnPerHour { get; init; } = 0.10;

    public TimeSpan MinOffline { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxOffline { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Publishes that run the full §8.4 walk over the DHT (the rest go straight to 3 random holders); they give the latency and hop figures.</summary>
    public int WalkedPublishes { get; init; } = 1000;

    /// <summary>Recipients whose wallet is restored from its seed at the end and fetches (§8.4); their notifications are always traced hop by hop.</summary>
    public int RestoredWallets { get; init; } = 200;

    /// <summary>Bound on gossip work per run (node visits over all traced messages); beyond it messages are traced at random with the matching weight.</summary>
    public long GossipTraceBudget { get; init; } = 30_000_000;

    /// <summary>
    /// Nodes (a random fraction) that run the routing table's bucket refreshes during the run;
    /// their DHT bytes are counted with weight 1/fraction, so the rest need not run them.
    /// </summary>
    public double RefreshSample { get; init; } = 0.1;

    /// <summary>Bootstrap peers every joining node knows.</summary>
    public int BootstrapPeers { get; init; } = 4;

    /// <summary>Time a node takes to validate and store one notification before forwarding it.</summary>
    public TimeSpan ValidationDelay { get; init; } = TimeSpan.FromMilliseconds(2);
}
