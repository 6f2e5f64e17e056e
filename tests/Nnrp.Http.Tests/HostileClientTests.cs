using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node;

namespace Nnrp.Http.Tests;

/// <summary>
/// Issue 12 attack 3 and 4 on the HTTP door (NNRP.md §12): the minimum prefix, per-address
/// rate limits with forwarded headers only from trusted proxies, problems without exception
/// text, /metrics apart from the API, and the fetch budget.
/// </summary>
public sealed class HostileClientTests
{
    [Theory]
    [InlineData("tag_prefix=&prefix_bits=0")]
    [InlineData("tag_prefix=70&prefix_bits=4")]
    public async Task A_prefix_wider_than_the_minimum_is_refused_like_on_nnrp(string query)
    {
        await using var api = await ApiFixture.StartAsync();
        await api.Client.PostAsync("/v1/notifications", Json(ApiFixture.MakeNotification()));

        using HttpResponseMessage response = await api.Client.GetAsync("/v1/notifications?" + query);

        using JsonDocument problem = await NotificationApiTests.ProblemOf(response, HttpStatusCode.BadRequest, "over_capacity");
        Assert.Equal(FetchQuery.MinServedPrefixBits, problem.RootElement.GetProperty("min_prefix_bits").GetInt32());
    }

    [Fact]
    public async Task Over_its_rate_an_address_gets_429_rate_limited_with_Retry_After_and_another_address_does_not()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { RateLimitPerSecond = 1, RateLimitBurst = 3 });

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage ok = await api.Client.GetAsync("/v1/work");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using HttpResponseMessage limited = await api.Client.GetAsync("/v1/work");

        using (JsonDocument problem = await NotificationApiTests.ProblemOf(limited, HttpStatusCode.TooManyRequests, "rate_limited"))
        {
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        }
        using HttpClient other = FromAddress(IPAddress.Parse("127.0.0.2"), api.Client.BaseAddress!);
        using HttpResponseMessage fromOther = await other.GetAsync("/v1/work");
        Assert.Equal(HttpStatusCode.OK, fromOther.StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_do_not_buy_a_fresh_bucket()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { RateLimitPerSecond = 1, RateLimitBurst = 3 });

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/work");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            request.Headers.Add("Forwarded", $"for=198.51.100.{i + 1}");
            using HttpResponseMessage response = await api.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { RateLimitPerSecond = 1, RateLimitBurst = 2, TrustedProxies = ["127.0.0.0/8"] });

        async Task<HttpStatusCode> GetAsync(string header, string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/work");
            request.Headers.TryAddWithoutValidation(header, value);
            using HttpResponseMessage response = await api.Client.SendAsync(request);
            return response.StatusCode;
        }

        // The client spoofs an address in front; the proxy appended the real one (rightmost).
        Assert.Equal(HttpStatusCode.OK, await GetAsync("X-Forwarded-For", "192.0.2.9, 203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("X-Forwarded-For", "192.0.2.10, 203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("X-Forwarded-For", "192.0.2.11, 203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("Forwarded", "for=203.0.113.7;proto=https"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("X-Forwarded-For", "203.0.113.8"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("Forwarded", "for=\"[2001:db8::1]:4711\""));
    }

    [Fact]
    public async Task A_failing_store_gives_500_internal_without_the_exception_text()
    {
        await using var api = await ApiFixture.StartAsync();
        Notification stored = ApiFixture.MakeNotification();
        (await api.Client.PostAsync("/v1/notifications", Json(stored))).Dispose();
        api.Node.Store.Dispose(); // every read now throws StoreUnavailableException("the store is closed", ObjectDisposedException)

        using HttpResponseMessage get = await api.Client.GetAsync("/v1/notifications/" + stored.Hash.ToRelayAddress());
        using HttpResponseMessage page = await api.Client.GetAsync($"/v1/notifications?tag={stored.RecipientTag}");
        using HttpResponseMessage health = await api.Client.GetAsync("/healthz");

        foreach ((HttpResponseMessage response, HttpStatusCode status) in new[] { (get, HttpStatusCode.InternalServerError), (page, HttpStatusCode.InternalServerError), (health, HttpStatusCode.ServiceUnavailable) })
        {
            using JsonDocument problem = await NotificationApiTests.ProblemOf(response, status, "internal");
            string text = problem.RootElement.GetRawText();
            Assert.DoesNotContain("closed", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("disposed", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("/tmp", text, StringComparison.Ordinal);
            if (status == HttpStatusCode.InternalServerError)
            {
                Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("correlation_id").GetString()));
            }
        }
    }

    [Fact]
    public async Task Metrics_are_served_on_their_own_listener_not_on_the_API()
    {
        await using var api = await ApiFixture.StartAsync();

        using HttpResponseMessage onApi = await api.Client.GetAsync("/metrics");
        using HttpResponseMessage onMetrics = await api.MetricsClient.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, onApi.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onMetrics.StatusCode);
        Assert.Contains("nnrp_store_notifications", await onMetrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(api.Client.BaseAddress, api.MetricsClient.BaseAddress);
    }

    [Fact]
    public async Task A_page_over_the_clients_fetch_budget_is_refused_503_over_capacity_and_a_smaller_one_served()
    {
        long small = FetchBudget.WorstCase(10);
        await using var api = await ApiFixture.StartAsync(node: o => o with { FetchBudget = new FetchBudgetOptions { PerClientBytes = small, TotalBytes = small } });
        Notification n = ApiFixture.MakeNotification();
        (await api.Client.PostAsync("/v1/notifications", Json(n))).Dispose();

        using HttpResponseMessage big = await api.Client.GetAsync($"/v1/notifications?tag={n.RecipientTag}&limit=500");
        using HttpResponseMessage fits = await api.Client.GetAsync($"/v1/notifications?tag={n.RecipientTag}&limit=10");

        (await NotificationApiTests.ProblemOf(big, HttpStatusCode.ServiceUnavailable, "over_capacity")).Dispose();
        Assert.NotNull(big.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(0, api.Node.FetchBudget.InFlight);
    }

    private static StringContent Json(Notification n) => new(NotificationJson.Serialize(n), System.Text.Encoding.UTF8, "application/json");

    /// <summary>An HTTP client whose connections leave from <paramref name="local"/> (any 127/8 address works on loopback).</summary>
    private static HttpClient FromAddress(IPAddress local, Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}
