using Nnrp.Http.Metrics;
using Nnrp.Node.Sync;

namespace Nnrp.Cli;

/// <summary>Sync figures on <c>GET /metrics</c> (NNRP.md §11.8): sessions, rounds, bytes, items pulled and offered.</summary>
internal sealed class SyncMetricsSource(SyncMetrics metrics) : IMetricsSource
{
    public void Collect(PrometheusWriter writer)
    {
        writer.Counter("nnrp_sync_sessions_total", "Sync sessions started as initiator", metrics.Sessions);
        writer.Counter("nnrp_sync_sessions_failed_total", "Sync sessions ended by a peer's violation or a transport failure", metrics.SessionsFailed);
        writer.Counter("nnrp_sync_rounds_total", "Sync request round trips as initiator", metrics.Rounds);
        writer.Counter("nnrp_sync_bytes_total", "Sync bytes as initiator", metrics.BytesSent, ("direction", "sent"));
        writer.Counter("nnrp_sync_bytes_total", "Sync bytes as initiator", metrics.BytesReceived, ("direction", "received"));
        writer.Counter("nnrp_sync_items_pulled_total", "Notifications pulled and stored", metrics.ItemsPulled);
        writer.Counter("nnrp_sync_items_refused_total", "Pulled notifications the ingress gate did not store", metrics.ItemsPullRefused);
        writer.Counter("nnrp_sync_items_offered_total", "Notifications offered to peers that lacked them", metrics.ItemsOffered);
        writer.Gauge("nnrp_sync_offering", "1 while the shard has fewer than 3 providers (replication rule)", metrics.Offering ? 1 : 0);
        writer.Gauge("nnrp_sync_shard_providers", "Providers of the shard at the last check, -1 before the first", metrics.LastProviderCount);
        writer.Counter("nnrp_sync_requests_served_total", "Sync requests served as responder", metrics.RequestsServed);
        writer.Counter("nnrp_sync_entries_scanned_total", "Index entries read for reconcile requests as responder", metrics.EntriesScanned);
        writer.Gauge("nnrp_sync_max_scanned_per_request", "Most index entries one reconcile request made this node read (bounded by the scan budget, NNRP.md 11.8.7)", metrics.MaxScannedPerRequest);
    }
}
