namespace Nnrp.Simulation;

/// <summary>The figures of one run (one network size, sharded or full).</summary>
internal sealed record RunResult
{
    public required int Nodes { get; init; }
    public required bool Sharded { get; init; }
    public required Gossip.GossipMode Gossip { get; init; }
    public required double VolumeBytes { get; init; }
    public required int NotificationBytes { get; init; }
    public required int Published { get; init; }
    public required double MeanDepth { get; init; }
    public required int MaxDepth { get; init; }
    public required double MeanTopics { get; init; }
    public required int MinShardHolders { get; init; }
    public required Percentiles StoredBytes { get; init; }
    public required Percentiles GossipBytesPerHour { get; init; }
    public required Percentiles TotalBytesPerHour { get; init; }
    public required double DhtBytesPerHourMean { get; init; }
    public required double SyncBytesPerHourMean { get; init; }
    public required Percentiles PublishLatencyMs { get; init; }
    public required double PublishSuccess { get; init; }
    public required int Walks { get; init; }
    public required Percentiles LookupHops { get; init; }
    public required double MeanQueriesPerLookup { get; init; }
    public required double FetchFound { get; init; }
    public required double FetchComplete { get; init; }
    public required int Wallets { get; init; }

    /// <summary>The fewest nodes holding any traced notification (the restored wallets' ones) when the window closed.</summary>
    public required int MinTracedHolders { get; init; }

    /// <summary>Publishes that got fewer than 3 receipts and were tried again by the wallet.</summary>
    public required int PublishRetries { get; init; }

    /// <summary>Sharded nodes whose store ended above their budget, and those of them holding no repair shard (§8.6).</summary>
    public required int OverBudgetNodes { get; init; }

    public required int OverBudgetWithoutRepair { get; init; }
    public required double TracedFraction { get; init; }

    /// <summary>Router mode: of the holders online from a notification's first publish to <see cref="Gossip.RouterGossipNetwork.DeliveryWindow"/> later, the fraction that had it by then (NaN in model mode).</summary>
    public required double HolderDelivery { get; init; }

    /// <summary>Router mode: notification copies that reached a node not subscribed to their topic.</summary>
    public required long MessagesOutsideTopics { get; init; }

    /// <summary>Router mode: every router's sends in the window, by what they carried (null in model mode).</summary>
    public Gossip.RouterTraffic? RouterSent { get; init; }
    /// <summary>Real sync mode only: what the sessions did and how returning nodes caught up.</summary>
    public SyncFigures? SyncReal { get; init; }

    public required int Churned { get; init; }
    public required double WallSeconds { get; init; }
}

/// <summary>Real sync (<c>--sync real</c>): sessions, rounds, pulls and offers, and the catch-up of nodes back from churn.</summary>
internal sealed record SyncFigures(long Sessions, long WholeSessions, long PeriodicSessions, long PeriodicRounds, long Rounds, long HistoryRounds, long Incomplete, long Failed, long StatusRequests,
    long Pulled, long Offered, int CatchUpsStarted, int CatchUpsDone, Percentiles CatchUpSeconds, int StillMissing, int StillMissingAvailable);

/// <summary>Mean, median, 99th percentile and maximum of a sample.</summary>
internal readonly record struct Percentiles(double Mean, double P50, double P99, double Max)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return new(double.NaN, double.NaN, double.NaN, double.NaN);
        }
        return new(sorted.Average(), At(sorted, 0.50), At(sorted, 0.99), sorted[^1]);
    }

    private static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
