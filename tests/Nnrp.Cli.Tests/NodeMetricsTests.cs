using System.Text.RegularExpressions;
using Nnrp.Libp2p.Host;

namespace Nnrp.Cli.Tests;

/// <summary>
/// `nnrp node`'s metrics listener as Prometheus scrapes it: every series the node exported
/// before the move to System.Diagnostics.Metrics, under the same name and type, plus the
/// runtime's and the process's series and <c>nnrp_build_info</c>.
/// </summary>
public sealed class NodeMetricsTests : IDisposable
{
    /// <summary>The names dashboards, docs and the multi-process suites read; each with its Prometheus type.</summary>
    private static readonly (string Name, string Type)[] s_nodeSeries =
    [
        ("nnrp_ingress_total", "counter"),
        ("nnrp_store_notifications", "gauge"),
        ("nnrp_store_bytes", "gauge"),
        ("nnrp_store_disk_bytes", "gauge"),
        ("nnrp_work_current_multiplier", "gauge"),
        ("nnrp_ingress_utilisation", "gauge"),
        ("nnrp_p2p_connections", "gauge"),
        ("nnrp_p2p_pending_inbound", "gauge"),
        ("nnrp_p2p_known_peers", "gauge"),
        ("nnrp_gossip_delivered_total", "counter"),
        ("nnrp_gossip_duplicates_total", "counter"),
        ("nnrp_gossip_rejected_total", "counter"),
        ("nnrp_gossip_ignored_total", "counter"),
        ("nnrp_gossip_validation_dropped_total", "counter"),
        ("nnrp_gossip_published_total", "counter"),
        ("nnrp_gossip_peers", "gauge"),
        ("nnrp_gossip_peer_score_min", "gauge"),
        ("nnrp_gossip_mesh_peers", "gauge"),
        ("nnrp_dht_routing_table_peers", "gauge"),
        ("nnrp_dht_requests_sent_total", "counter"),
        ("nnrp_dht_provider_records", "gauge"),
        ("nnrp_dht_provider_record_bytes", "gauge"),
        ("nnrp_sync_sessions_total", "counter"),
        ("nnrp_sync_sessions_failed_total", "counter"),
        ("nnrp_sync_rounds_total", "counter"),
        ("nnrp_sync_bytes_total", "counter"),
        ("nnrp_sync_items_pulled_total", "counter"),
        ("nnrp_sync_items_refused_total", "counter"),
        ("nnrp_sync_items_offered_total", "counter"),
        ("nnrp_sync_offering", "gauge"),
        ("nnrp_sync_shard_providers", "gauge"),
        ("nnrp_sync_requests_served_total", "counter"),
        ("nnrp_sync_entries_scanned_total", "counter"),
        ("nnrp_sync_max_scanned_per_request", "gauge"),
        ("nnrp_http_request_seconds", "histogram"),
        // New with the exporter.
        ("nnrp_p2p_streams", "gauge"),
        ("nnrp_gossip_graylisted_rpcs_total", "counter"),
        ("nnrp_gossip_send_queue_dropped_total", "counter"),
        ("nnrp_build_info", "gauge"),
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-metrics-").FullName;

    [Fact]
    public async Task A_node_scrape_keeps_every_series_name_and_adds_runtime_process_and_build_info()
    {
        await using var node = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--metrics", "http://127.0.0.1:0", "--data-dir", Path.Combine(_root, "a"),
            "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Path.Combine(_root, "none.txt"));
        string api = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        string metrics = (await node.WaitForLineAsync(NnrpProcess.MetricsUrl())).Groups[1].Value;
        await node.WaitForLineAsync(NnrpProcess.DhtReady());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("peer_id", await http.GetStringAsync(api + "/v1/status"), StringComparison.Ordinal);

        string text = await http.GetStringAsync(metrics + "/metrics");

        Dictionary<string, string> types = Regex.Matches(text, @"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach ((string name, string type) in s_nodeSeries)
        {
            Assert.True(types.TryGetValue(name, out string? actual), $"{name} missing from the scrape:\n{text}");
            Assert.True(actual == type, $"{name} is a {actual}, was a {type}");
        }
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_ingress_total", ("reason", "accepted")));
        Assert.Equal(1, PrometheusText.Value(text, "nnrp_http_request_seconds_count", ("route", "/v1/status"), ("method", "GET")));
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_gossip_mesh_peers", ("topic", "/nnrp/notifications/1.0/8/0")));
        Assert.Equal(2, PrometheusText.Values(text, "nnrp_sync_bytes_total").Count());
        // The runtime (GC, thread pool, exceptions, JIT) and the process (CPU, memory).
        foreach (string name in new[] { "dotnet_gc_collections_total", "dotnet_gc_heap_total_allocated_bytes_total", "dotnet_thread_pool_thread_count", "dotnet_process_memory_working_set_bytes",
            "process_cpu_time_seconds_total", "process_memory_usage_bytes", "process_thread_count" })
        {
            Assert.True(types.ContainsKey(name), $"{name} missing from the scrape");
        }
        PrometheusText.Sample build = Assert.Single(PrometheusText.Parse(text), s => s.Name == "nnrp_build_info");
        Assert.Equal(1, build.Value);
        Assert.Equal(HostOptions.DefaultAgentVersion, "nnrp/" + build.Labels["version"]);
        Assert.Equal(Environment.Version.ToString(), build.Labels["runtime_version"]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
