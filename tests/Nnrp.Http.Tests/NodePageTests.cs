using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Nnrp.Http.Status;
using Nnrp.Http.StatusPage;

namespace Nnrp.Http.Tests;

/// <summary>NNRP.md §12 <c>GET /</c>: a self-contained status page, readable without script, every value escaped.</summary>
public sealed partial class NodePageTests
{
    [Fact]
    public async Task The_root_is_an_html_page_with_the_nodes_values_rendered_on_the_server()
    {
        await using var api = await ApiFixture.StartAsync();
        using HttpResponseMessage response = await api.Client.GetAsync("/");
        string html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<code id=\"peer_id\">{api.Host.PeerId}</code>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"stored\">0</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<code id=\"base_threshold\">f000000000000000</code>", html, StringComparison.Ordinal);
        Assert.Contains($"<dd id=\"connections\">{api.Host.Connections.Count}</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"sync\">0 sessions (0 failed)", html, StringComparison.Ordinal);
        Assert.Contains(api.Host.ListenAddresses[0].ToString(), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_loads_nothing_from_elsewhere_and_its_policy_admits_exactly_its_own_style_and_script()
    {
        await using var api = await ApiFixture.StartAsync();
        using HttpResponseMessage response = await api.Client.GetAsync("/");
        string html = await response.Content.ReadAsStringAsync();
        string policy = response.Headers.GetValues("Content-Security-Policy").Single();

        Assert.DoesNotMatch("<(link|img|iframe)\\b|\\bsrc=|url\\(", html);
        string script = ScriptElement().Match(html).Groups[1].Value, style = StyleElement().Match(html).Groups[1].Value;
        Assert.Contains("/v1/status".TrimStart('/'), script, StringComparison.Ordinal);
        Assert.Contains($"script-src 'sha256-{Hash(script)}'", policy, StringComparison.Ordinal);
        Assert.Contains($"style-src 'sha256-{Hash(style)}'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public void Every_value_is_html_escaped()
    {
        const string Hostile = "<script>alert(1)</script>&\"'";
        var status = new StatusBody(Hostile, [Hostile], [Hostile], Hostile, 1, Hostile, Hostile, 0, 0, 0, 0, 0, 0, 0, 0, 0, [], new DhtBody(false, 0), new SyncBody(0, 0, 0, 0, true));

        string html = NodePage.Render(status);

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("&\"'", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_is_rate_limited_like_every_route()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { RateLimitPerSecond = 1, RateLimitBurst = 1 });
        (await api.Client.GetAsync("/")).Dispose();
        using HttpResponseMessage second = await api.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    private static string Hash(string content) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
