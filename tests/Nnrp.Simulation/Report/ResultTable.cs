using System.Globalization;
using System.Text;

namespace Nnrp.Simulation.Report;

/// <summary>The sweep's results as CSV (every figure) and as the markdown table docs/SCALE.md shows.</summary>
internal static class ResultTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Csv(IReadOnlyList<RunResult> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("nodes,mode,volume_bytes,notification_bytes,published,traced_fraction,churned,mean_depth,max_depth,mean_topics,min_shard_holders,"
            + "stored_mean,stored_p50,stored_p99,stored_max,gossip_per_hour_mean,gossip_per_hour_p50,gossip_per_hour_p99,gossip_per_hour_max,"
            + "total_per_hour_mean,total_per_hour_p99,dht_per_hour_mean,sync_per_hour_mean,walks,publish_success,publish_ms_p50,publish_ms_p99,"
            + "hops_mean,hops_p99,queries_per_lookup,wallets,fetch_found,fetch_complete,min_traced_holders,publish_retries,over_budget_nodes,over_budget_without_repair,holder_delivery,messages_outside_topics,"
            + "sync_sessions,sync_whole_sessions,sync_periodic_sessions,sync_periodic_rounds,sync_rounds,sync_history_rounds,sync_incomplete,sync_failed,sync_status_requests,sync_pulled,sync_offered,"
            + "catchups,catchups_done,catchup_s_p50,catchup_s_p99,catchup_s_max,still_missing,still_missing_available,wall_seconds");
        foreach (RunResult r in runs)
        {
            object[] cells =
            [
                r.Nodes, Mode(r), r.VolumeBytes, r.NotificationBytes, r.Published, r.TracedFraction, r.Churned, r.MeanDepth, r.MaxDepth, r.MeanTopics, r.MinShardHolders,
                r.StoredBytes.Mean, r.StoredBytes.P50, r.StoredBytes.P99, r.StoredBytes.Max,
                r.GossipBytesPerHour.Mean, r.GossipBytesPerHour.P50, r.GossipBytesPerHour.P99, r.GossipBytesPerHour.Max,
                r.TotalBytesPerHour.Mean, r.TotalBytesPerHour.P99, r.DhtBytesPerHourMean, r.SyncBytesPerHourMean,
                r.Walks, r.PublishSuccess, r.PublishLatencyMs.P50, r.PublishLatencyMs.P99,
                r.LookupHops.Mean, r.LookupHops.P99, r.MeanQueriesPerLookup, r.Wallets, r.FetchFound, r.FetchComplete, r.MinTracedHolders, r.PublishRetries, r.OverBudgetNodes, r.OverBudgetWithoutRepair, r.HolderDelivery, r.MessagesOutsideTopics,
                .. SyncCells(r.SyncReal), r.WallSeconds,
            ];
            sb.AppendLine(string.Join(",", cells.Select(static c => Convert.ToString(c, Inv))));
        }
        return sb.ToString();
    }

    /// <summary>The real-sync columns, empty in the model (which has no sessions to count).</summary>
    private static object[] SyncCells(SyncFigures? s) => s is null
        ? [.. Enumerable.Repeat<object>("", 18)]
        : [s.Sessions, s.WholeSessions, s.PeriodicSessions, s.PeriodicRounds, s.Rounds, s.HistoryRounds, s.Incomplete, s.Failed, s.StatusRequests, s.Pulled, s.Offered,
            s.CatchUpsStarted, s.CatchUpsDone, s.CatchUpSeconds.P50, s.CatchUpSeconds.P99, s.CatchUpSeconds.Max, s.StillMissing, s.StillMissingAvailable];

    public static string Markdown(IReadOnlyList<RunResult> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| N | mode | V (90 d) | depth mean/max | topics | min holders | stored/node mean · p99 · max | gossip/node/h mean · p99 | total/node/h mean · p99 | DHT/node/h | publish→3 receipts p50 · p99 (ok) | hops mean · p99 | fetch found (complete) | wall |");
        sb.AppendLine("|---:|---|---:|---|---:|---:|---|---|---|---:|---|---|---|---:|");
        foreach (RunResult r in runs)
        {
            sb.Append(Inv, $"| {r.Nodes} | {Mode(r)} | {Bytes(r.VolumeBytes)} | {r.MeanDepth:0.0} / {r.MaxDepth} | {r.MeanTopics:0.#} | {r.MinShardHolders} ");
            sb.Append(Inv, $"| {Bytes(r.StoredBytes.Mean)} · {Bytes(r.StoredBytes.P99)} · {Bytes(r.StoredBytes.Max)} ");
            sb.Append(Inv, $"| {Bytes(r.GossipBytesPerHour.Mean)} · {Bytes(r.GossipBytesPerHour.P99)} ");
            sb.Append(Inv, $"| {Bytes(r.TotalBytesPerHour.Mean)} · {Bytes(r.TotalBytesPerHour.P99)} | {Bytes(r.DhtBytesPerHourMean)} ");
            sb.Append(Inv, $"| {r.PublishLatencyMs.P50:0} · {r.PublishLatencyMs.P99:0} ms ({r.PublishSuccess:P1}) ");
            sb.Append(Inv, $"| {r.LookupHops.Mean:0.00} · {r.LookupHops.P99:0} | {r.FetchFound:P2} ({r.FetchComplete:P0}) | {r.WallSeconds:0} s |");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>"sharded" or "full", "· real gossip" when the production routers carried the topics, "· real sync" when the sync state machines ran.</summary>
    public static string Mode(RunResult r) => (r.Sharded ? "sharded" : "full") + (r.Gossip == Gossip.GossipMode.Real ? " · real gossip" : "")
        + (r.SyncReal is null ? "" : " · real sync");

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        int u = 0;
        while (Math.Abs(bytes) >= 1000 && u < units.Length - 1)
        {
            bytes /= 1000;
            u++;
        }
        return bytes.ToString(bytes >= 100 ? "0" : bytes >= 10 ? "0.0" : "0.00", Inv) + " " + units[u];
    }
}
