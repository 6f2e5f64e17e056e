using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Cli.Tests;
using Nnrp.Core.Notifications;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Metrics;

namespace Nnrp.Http.Tests;

/// <summary>The metrics listener: OpenTelemetry's Prometheus exporter over one node's meters, the runtime's and the process's.</summary>
public sealed class MetricsListenerTests
{
    [Fact]
    public async Task A_scrape_has_the_node_series_the_runtime_and_process_series_and_build_info()
    {
        await using var api = await ApiFixture.StartAsync();
        string text = await api.MetricsClient.GetStringAsync("/metrics");

        Assert.Equal(0, PrometheusText.Value(text, "nnrp_ingress_total", ("reason", "accepted")));
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_store_notifications"));
        Assert.NotNull(PrometheusText.Value(text, "nnrp_p2p_connections"));
        // A lone node: AutoNAT has no server to ask, so it neither relays nor is relayed.
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_reachability"));
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_relay_serving"));
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_relay_reservations_granted"));
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_relay_reservations_held"));
        // System.Runtime, the runtime's own meter: GC, thread pool, memory.
        Assert.NotEmpty(PrometheusText.Values(text, "dotnet_gc_collections_total"));
        Assert.NotEmpty(PrometheusText.Values(text, "dotnet_thread_pool_thread_count"));
        Assert.True(PrometheusText.Values(text, "dotnet_gc_heap_total_allocated_bytes_total").Single() > 0);
        // The process instrumentation: CPU and memory.
        Assert.True(PrometheusText.Values(text, "process_cpu_time_seconds_total").Sum() > 0);
        Assert.True(PrometheusText.Values(text, "process_memory_usage_bytes").Single() > 0);

        PrometheusText.Sample build = Assert.Single(PrometheusText.Parse(text), s => s.Name == "nnrp_build_info");
        Assert.Equal(1, build.Value);
        Assert.Equal(BuildInfo.Current.Version, build.Labels["version"]);
        Assert.Equal(Environment.Version.ToString(), build.Labels["runtime_version"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", build.Labels["version"]);
    }

    [Fact]
    public async Task Two_nodes_in_one_process_each_scrape_only_their_own_figures()
    {
        await using var a = await ApiFixture.StartAsync();
        await using var b = await ApiFixture.StartAsync();
        using var body = new StringContent(NotificationJson.Serialize(ApiFixture.MakeNotification()), Encoding.UTF8, "application/json");
        (await a.Client.PostAsync("/v1/notifications", body)).Dispose();

        string onA = await a.MetricsClient.GetStringAsync("/metrics");
        string onB = await b.MetricsClient.GetStringAsync("/metrics");

        Assert.Equal(1, PrometheusText.Value(onA, "nnrp_store_notifications"));
        Assert.Equal(1, PrometheusText.Value(onA, "nnrp_ingress_total", ("reason", "accepted")));
        Assert.Equal(0, PrometheusText.Value(onB, "nnrp_store_notifications"));
        Assert.Equal(0, PrometheusText.Value(onB, "nnrp_ingress_total", ("reason", "accepted")));
        Assert.Equal(1, PrometheusText.Value(onA, "nnrp_http_request_seconds_count", ("route", "/v1/notifications"), ("method", "POST")));
        Assert.Null(PrometheusText.Value(onB, "nnrp_http_request_seconds_count", ("route", "/v1/notifications"), ("method", "POST")));
    }

    [Fact]
    public async Task Meters_from_a_hosts_meter_factory_are_scraped_and_kept_apart_from_the_nodes_own()
    {
        await using var api = await ApiFixture.StartAsync();
        await using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        using NnrpMeters meters = NnrpMeters.Register(api.Node, api.Host, factory: factory);
        await using MetricsListener listener = await MetricsListener.StartAsync(["http://127.0.0.1:0"], meters, NullLoggerFactory.Instance, CancellationToken.None);
        using var client = new HttpClient { BaseAddress = new Uri(listener.Urls[0]), Timeout = TimeSpan.FromSeconds(30) };

        string text = await client.GetStringAsync("/metrics");

        Assert.Same(factory, meters.Create(NodeInstruments.MeterName).Scope);
        Assert.False(meters.Owns(api.Meters.Create(NodeInstruments.MeterName)));
        // One node registered twice, in two scopes: each listener shows its own scope's series once.
        Assert.Single(PrometheusText.Parse(text), s => s.Name == "nnrp_build_info");
        Assert.Equal(0, PrometheusText.Value(text, "nnrp_store_notifications"));
    }

    [Fact]
    public async Task A_taken_port_is_an_IOException_the_node_can_run_on_without_metrics()
    {
        await using var api = await ApiFixture.StartAsync();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        string url = "http://127.0.0.1:" + ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        await Assert.ThrowsAnyAsync<IOException>(() => MetricsListener.StartAsync([url], api.Meters, NullLoggerFactory.Instance, CancellationToken.None));
        using HttpResponseMessage still = await api.MetricsClient.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public void The_reason_label_of_nnrp_ingress_total_is_the_reason_word_the_HTTP_API_answers_with()
    {
        foreach (DecisionStatus status in Enum.GetValues<DecisionStatus>())
        {
            Assert.Equal(Problems.Reason(status), NodeInstruments.Reason(status));
        }
    }

    [Fact]
    public void Build_info_splits_the_informational_version_into_version_and_commit()
    {
        BuildInfo build = BuildInfo.Read(typeof(NnrpMeters).Assembly);

        Assert.Equal(BuildInfo.Current, build);
        Assert.DoesNotContain("+", build.Version, StringComparison.Ordinal);
        Assert.True(build.Commit is null || build.Commit.Length > 0);
    }
}
