using System.Net;

namespace Nnrp.Http.Tests.Contract;

/// <summary>
/// NNRP.md §12.1 CORS: with an origin configured, every answer to it — a 429 refusal included —
/// carries the CORS headers and exposes Retry-After, so a browser wallet can read and honour it.
/// </summary>
public sealed class CorsContractTests
{
    private const string Wallet = "https://wallet.example";

    [Fact]
    public async Task A_browser_can_read_a_429_and_its_Retry_After()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = [Wallet], RateLimitPerSecond = 1, RateLimitBurst = 1 });

        using HttpResponseMessage first = await GetFromWalletAsync(api.Client);
        using HttpResponseMessage limited = await GetFromWalletAsync(api.Client);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(Wallet, limited.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Retry-After", limited.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_preflight_allows_get_and_post_with_any_header_and_no_credentials()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = [Wallet] });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/notifications");
        preflight.Headers.Add("Origin", Wallet);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        using HttpResponseMessage response = await api.Client.SendAsync(preflight);

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {(int)response.StatusCode}");
        Assert.Equal(Wallet, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(["GET", "POST"], response.Headers.GetValues("Access-Control-Allow-Methods").Single().Split(',', StringSplitOptions.TrimEntries).Order());
        Assert.Contains("content-type", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_browser_can_read_a_500_of_a_failing_store()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { CorsOrigins = [Wallet] });
        Nnrp.Core.Notifications.Notification stored = ApiFixture.MakeNotification();
        api.Node.Store.Dispose(); // every read now throws

        using HttpResponseMessage page = await GetFromWalletAsync(api.Client, $"/v1/notifications?tag={stored.RecipientTag}");
        using HttpResponseMessage one = await GetFromWalletAsync(api.Client, "/v1/notifications/" + stored.Hash.ToRelayAddress());

        foreach (HttpResponseMessage response in new[] { page, one })
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal(Wallet, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
    }

    private static async Task<HttpResponseMessage> GetFromWalletAsync(HttpClient client, string path = "/v1/work")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", Wallet);
        return await client.SendAsync(request);
    }
}
