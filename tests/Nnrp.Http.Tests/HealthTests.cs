using System.Net;
using System.Text.Json;
using Nnrp.Http.Health;

namespace Nnrp.Http.Tests;

/// <summary><c>/health/live</c>, <c>/health/ready</c> and <c>/healthz</c> on a real node's HTTP API.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Live_and_ready_pass_on_an_open_store_and_a_bootstrapped_dht()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions
        {
            HealthChecks = [DhtReadinessCheck.Registration(() => new DhtReadiness(Started: true, RoutingTablePeers: 3, BootstrapPeers: 2))],
        });

        using JsonDocument live = await HealthAsync(api, "/health/live", HttpStatusCode.OK);
        using JsonDocument ready = await HealthAsync(api, "/health/ready", HttpStatusCode.OK);

        Assert.Equal("healthy", live.RootElement.GetProperty("status").GetString());
        Assert.Equal(["store"], live.RootElement.GetProperty("checks").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["dht", "store"], ready.RootElement.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("healthy", ready.RootElement.GetProperty("checks").GetProperty("dht").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_waits_for_the_dht_while_live_does_not()
    {
        var dht = new DhtReadiness(Started: false, RoutingTablePeers: 0, BootstrapPeers: 1);
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { HealthChecks = [DhtReadinessCheck.Registration(() => dht)] });

        using (JsonDocument notStarted = await HealthAsync(api, "/health/ready", HttpStatusCode.ServiceUnavailable))
        {
            Assert.Equal("unhealthy", notStarted.RootElement.GetProperty("checks").GetProperty("dht").GetProperty("status").GetString());
            Assert.Equal("healthy", notStarted.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        }
        (await HealthAsync(api, "/health/live", HttpStatusCode.OK)).Dispose();

        dht = dht with { Started = true };
        using (JsonDocument emptyTable = await HealthAsync(api, "/health/ready", HttpStatusCode.ServiceUnavailable))
        {
            Assert.Contains("1 bootstrap peers", emptyTable.RootElement.GetProperty("checks").GetProperty("dht").GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        dht = dht with { RoutingTablePeers = 1 };
        (await HealthAsync(api, "/health/ready", HttpStatusCode.OK)).Dispose();
    }

    [Fact]
    public async Task A_first_node_with_no_bootstrap_peers_is_ready_once_started()
    {
        var dht = new DhtReadiness(Started: false, RoutingTablePeers: 0, BootstrapPeers: 0);
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { HealthChecks = [DhtReadinessCheck.Registration(() => dht)] });

        (await HealthAsync(api, "/health/ready", HttpStatusCode.ServiceUnavailable)).Dispose();
        dht = dht with { Started = true };
        (await HealthAsync(api, "/health/ready", HttpStatusCode.OK)).Dispose();
    }

    [Fact]
    public async Task A_closed_store_fails_live_and_ready_and_healthz_keeps_its_old_answers()
    {
        await using var api = await ApiFixture.StartAsync();
        using (HttpResponseMessage ok = await api.Client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("application/json", ok.Content.Headers.ContentType?.MediaType);
            Assert.Equal("""{"status":"ok"}""", await ok.Content.ReadAsStringAsync());
        }

        api.Node.Store.Dispose();

        using (JsonDocument live = await HealthAsync(api, "/health/live", HttpStatusCode.ServiceUnavailable))
        {
            JsonElement store = live.RootElement.GetProperty("checks").GetProperty("store");
            Assert.Equal("unhealthy", store.GetProperty("status").GetString());
            Assert.Equal(StoreHealthCheck.Unavailable, store.GetProperty("description").GetString());
        }
        (await HealthAsync(api, "/health/ready", HttpStatusCode.ServiceUnavailable)).Dispose();
        using HttpResponseMessage healthz = await api.Client.GetAsync("/healthz");
        using JsonDocument problem = await NotificationApiTests.ProblemOf(healthz, HttpStatusCode.ServiceUnavailable, "internal");
    }

    private static async Task<JsonDocument> HealthAsync(ApiFixture api, string path, HttpStatusCode expected)
    {
        using HttpResponseMessage response = await api.Client.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body);
    }
}
