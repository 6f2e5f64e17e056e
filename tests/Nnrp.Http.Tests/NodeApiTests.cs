using System.Net;
using System.Text;
using System.Text.Json;
using Nnrp.Cli.Tests;
using Nnrp.Core.Notifications;

namespace Nnrp.Http.Tests;

/// <summary>Work, status, health, metrics and CORS.</summary>
public sealed class NodeApiTests
{
    [Fact]
    public async Task Work_reports_base_and_current_thresholds_as_16_hex_digits()
    {
        await using var api = await ApiFixture.StartAsync();
        using JsonDocument work = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/work"));

        Assert.Equal("f000000000000000", work.RootElement.GetProperty("base_threshold").GetString());
        Assert.Matches("^[0-9a-f]{16}$", work.RootElement.GetProperty("current_threshold").GetString());
        Assert.True(work.RootElement.GetProperty("multiplier").GetDouble() >= 1.0);
    }

    [Fact]
    public async Task Status_names_the_peer_and_its_full_multiaddrs()
    {
        await using var api = await ApiFixture.StartAsync();
        using JsonDocument status = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/status"));

        Assert.Equal(api.Host.PeerId.ToString(), status.RootElement.GetProperty("peer_id").GetString());
        string[] addrs = status.RootElement.GetProperty("addrs").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Contains(addrs, a => a.StartsWith("/ip4/127.0.0.1/tcp/", StringComparison.Ordinal) && a.EndsWith("/p2p/" + api.Host.PeerId, StringComparison.Ordinal));
        Assert.Equal(0, status.RootElement.GetProperty("stored").GetInt64());
    }

    [Fact]
    public async Task Health_is_ok_and_metrics_count_ingress_by_reason_and_request_latency()
    {
        await using var api = await ApiFixture.StartAsync();
        Notification n = ApiFixture.MakeNotification();
        (await api.Client.PostAsync("/v1/notifications", new StringContent(NotificationJson.Serialize(n), Encoding.UTF8, "application/json"))).Dispose();
        (await api.Client.PostAsync("/v1/notifications", new StringContent(NotificationJson.Serialize(ApiFixture.MakeNotification(enoughWork: false)), Encoding.UTF8, "application/json"))).Dispose();

        using HttpResponseMessage health = await api.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using HttpResponseMessage metrics = await api.MetricsClient.GetAsync("/metrics");
        string text = await metrics.Content.ReadAsStringAsync();

        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("nnrp_ingress_total{reason=\"accepted\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("nnrp_ingress_total{reason=\"insufficient_work\"} 1\n", text, StringComparison.Ordinal);
        Assert.Equal(1, PrometheusText.Value(text, "nnrp_store_notifications"));
        Assert.Equal(2, PrometheusText.Value(text, "nnrp_http_request_seconds_count", ("route", "/v1/notifications"), ("method", "POST")));
        Assert.Contains("# TYPE nnrp_http_request_seconds histogram", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_problem()
    {
        await using var api = await ApiFixture.StartAsync();
        using HttpResponseMessage response = await api.Client.GetAsync("/v2/nothing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cors_allows_the_configured_origin_only()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = ["https://wallet.example"] });

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/notifications");
        preflight.Headers.Add("Origin", "https://wallet.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using HttpResponseMessage allowed = await api.Client.SendAsync(preflight);
        Assert.Equal("https://wallet.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var other = new HttpRequestMessage(HttpMethod.Get, "/v1/work");
        other.Headers.Add("Origin", "https://evil.example");
        using HttpResponseMessage refused = await api.Client.SendAsync(other);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
