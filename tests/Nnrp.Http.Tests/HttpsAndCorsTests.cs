using System.Net;
using Nnrp.Cli.Tests;

namespace Nnrp.Http.Tests;

/// <summary>HTTPS with the operator's certificate, and CORS as a browser wallet needs it (NNRP.md §12).</summary>
public sealed class HttpsAndCorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nnrp-https-").FullName;

    [Fact]
    public async Task An_https_url_is_served_with_the_given_certificate()
    {
        using var tls = TestCertificate.Create(_dir);
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { Certificate = tls.Certificate, AdvertisePrivate = true }, url: "https://127.0.0.1:0", client: tls.TrustingHandler());

        using HttpResponseMessage status = await api.Client.GetAsync("/v1/status");

        Assert.StartsWith("https://", api.Api.Urls[0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.EndsWith("/tls/http", Assert.Single(api.Api.Doors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_exposes_Retry_After_and_lets_browsers_cache_the_preflight()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = ["https://wallet.example"] });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/notifications");
        preflight.Headers.Add("Origin", "https://wallet.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using HttpResponseMessage answer = await api.Client.SendAsync(preflight);

        Assert.Equal(((int)HttpApiOptions.CorsPreflightMaxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Headers.GetValues("Access-Control-Max-Age").Single());

        using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/work");
        get.Headers.Add("Origin", "https://wallet.example");
        using HttpResponseMessage work = await api.Client.SendAsync(get);
        Assert.Contains("Retry-After", work.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_429_carries_the_cors_headers_so_a_wallet_can_read_its_Retry_After()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = ["https://wallet.example"], RateLimitPerSecond = 1, RateLimitBurst = 1 });
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 2; i++)
        {
            limited?.Dispose();
            using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/work");
            get.Headers.Add("Origin", "https://wallet.example");
            limited = await api.Client.SendAsync(get);
        }
        using HttpResponseMessage refused = limited!;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("https://wallet.example", refused.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Preflights_spend_the_clients_rate_too()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = ["https://wallet.example"], RateLimitPerSecond = 1, RateLimitBurst = 1 });
        (await api.Client.GetAsync("/v1/work")).Dispose();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/notifications");
        preflight.Headers.Add("Origin", "https://wallet.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using HttpResponseMessage answer = await api.Client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
