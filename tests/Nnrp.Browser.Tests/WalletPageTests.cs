using System.Globalization;
using System.Text.Json.Nodes;
using Nnrp.Cli.Tests;
using Xunit.Abstractions;

namespace Nnrp.Browser.Tests;

/// <summary>
/// Issue 14's acceptance, end to end in real headless Chromium: from one https URL of one node
/// the wallet page discovers three nodes, makes a key, sends a payment notification to three
/// nodes over libp2p WebSocket (<c>/tls/ws</c>) and over HTTPS with verified receipts; a second
/// browser context restores the key from its seed and opens the notification; with one node
/// stopped a fresh context still fetches it. Screenshots of the wallet page and of the node
/// page go to artifacts/browser/. Every check reads the page's state, never pixels.
/// </summary>
public sealed class WalletPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(60);

    private readonly string _artifacts = RepositoryFiles.Find("artifacts", "browser");
    private TlsTestnet _net = null!;
    private StaticSite _site = null!;
    private BrowserDriver _browser = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_artifacts);
        string dist = RepositoryFiles.Find("src", "nnrp-wallet", "dist");
        if (!File.Exists(Path.Combine(dist, "wallet.js")))
        {
            throw new InvalidOperationException($"{dist}/wallet.js is missing: run `make wallet` (node src/nnrp-wallet/build.mjs)");
        }
        _net = await TlsTestnet.StartAsync();
        _site = await StaticSite.StartAsync(dist, _net.Certificate);
        (_browser, string version) = await BrowserDriver.LaunchAsync();
        output.WriteLine($"Chromium {version}; wallet page on {_site.Url}; nodes {_net.HttpsUrl(0)} {_net.HttpsUrl(1)} {_net.HttpsUrl(2)}");
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            output.WriteLine("--- browser log\n" + _browser.Log);
            await _browser.DisposeAsync();
        }
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
        if (_net is not null)
        {
            await _net.DisposeAsync();
        }
    }

    [Fact]
    public async Task From_one_https_node_url_a_browser_discovers_three_nodes_sends_over_websocket_and_https_and_a_restored_wallet_opens_the_notification()
    {
        Uri entry = _net.HttpsUrl(0);
        // The test network's cheap work is the page's own setting (min-work), never taken from the nodes.
        Uri page = new(_site.Url, "?node=" + Uri.EscapeDataString(entry.ToString().TrimEnd('/')) + "&min-work=" + Testnet.CheapThreshold);

        // The payer: discovery from the one URL, then a new key whose URI is the recipient.
        await _browser.OpenAsync("wallet", page);
        await DiscoveredAsync("wallet");
        JsonArray nodes = (await _browser.EvalAsync("wallet", Rows("#nodes tr", "peer", "https", "wss")))!.AsArray();
        Assert.Equal(TlsTestnet.Size, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.StartsWith("https://127.0.0.1:", Text(n, "https"), StringComparison.Ordinal);
            Assert.Contains("/tls/ws", Text(n, "wss"), StringComparison.Ordinal);
        });
        Assert.Equal(TlsTestnet.Size, nodes.Select(n => Text(n, "peer")).Distinct().Count());

        await _browser.ClickAsync("wallet", "#new-key");
        await _browser.WaitAsync("wallet", "document.body.dataset.key === 'ready'", PageTimeout);
        string seed = (await _browser.EvalAsync("wallet", "document.querySelector('#seed').value"))!.GetValue<string>();
        string uri = (await _browser.EvalAsync("wallet", "document.querySelector('#uri').textContent"))!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", seed);
        Assert.Matches("^nnrp:[13][13-9a-km-uw-z]{51}", uri);

        string txHash = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await _browser.FillAsync("wallet", "#recipient", uri);
        await _browser.FillAsync("wallet", "#tx-hash", txHash);
        await _browser.FillAsync("wallet", "#amount", "1000000000000000000000000000000");
        await _browser.FillAsync("wallet", "#memo", "coffee, paid from Chromium");
        await _browser.ClickAsync("wallet", "#send-button");
        await _browser.WaitAsync("wallet", "document.body.dataset.sent === 'done' || document.body.dataset.sent === 'failed'", PageTimeout);
        JsonArray receipts = (await _browser.EvalAsync("wallet", Rows("#receipts tr", "peer", "transport", "reason", "verified")))!.AsArray();
        output.WriteLine("receipts: " + receipts.ToJsonString());
        foreach (string transport in new[] { "wss", "https" })
        {
            var stored = receipts.Where(r => Text(r, "transport") == transport && Text(r, "verified") == "true"
                && Text(r, "reason") is "ok" or "duplicate" or "stored").Select(r => Text(r, "peer")).Distinct().ToList();
            Assert.True(stored.Count >= 3, $"three nodes gave a verified receipt over {transport}: {receipts.ToJsonString()}");
        }
        Assert.Equal("done", (await _browser.EvalAsync("wallet", "document.body.dataset.sent"))!.GetValue<string>());
        await _browser.ScreenshotAsync("wallet", Path.Combine(_artifacts, "wallet-sent.png"));

        // The recipient on another device: a context with nothing but the seed.
        await _browser.OpenAsync("restored", page);
        await DiscoveredAsync("restored");
        await RestoreAndFetchAsync("restored", seed);
        JsonNode first = await InboxRowAsync("restored", txHash);
        Assert.Equal("1000000000000000000000000000000", Text(first, "amount"));
        Assert.Equal("coffee, paid from Chromium", Text(first, "memo"));
        Assert.Equal(uri, (await _browser.EvalAsync("restored", "document.querySelector('#uri').textContent"))!.GetValue<string>());
        double loadToFirst = (await _browser.EvalAsync("restored", "Number(document.body.dataset.firstNotificationMs)"))!.GetValue<double>();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"page load to first fetched notification: {loadToFirst:F0} ms"));
        await _browser.ScreenshotAsync("restored", Path.Combine(_artifacts, "wallet-restored.png"));

        // The node page a browser sees at the node's own https URL: its peer id and a store that holds the notification.
        await _browser.OpenAsync("node", entry);
        JsonNode status = JsonNode.Parse(await _net.Http.GetStringAsync(new Uri(entry, "/v1/status")))!;
        Assert.Equal(status["peer_id"]!.GetValue<string>(), (await _browser.EvalAsync("node", "document.querySelector('#peer_id').textContent.trim()"))!.GetValue<string>());
        Assert.True((await _browser.EvalAsync("node", "Number(document.querySelector('#stored').textContent)"))!.GetValue<double>() >= 1, "the node page counts the stored notification");
        await _browser.ScreenshotAsync("node", Path.Combine(_artifacts, "node-page.png"));

        // One node down: a fresh context still discovers the rest and opens the notification.
        await _net.StopAsync(2);
        await _browser.OpenAsync("outage", page);
        await _browser.WaitAsync("outage", "Number(document.body.dataset.discovered) >= 2 && document.body.dataset.discovering === 'done'", PageTimeout);
        await RestoreAndFetchAsync("outage", seed);
        await InboxRowAsync("outage", txHash);
        JsonArray sources = (await _browser.EvalAsync("outage", Rows("#sources li", "peer", "outcome")))!.AsArray();
        Assert.True(sources.Count(s => Text(s, "outcome") == "ok") >= 2, "two live nodes answered: " + sources.ToJsonString());
    }

    private Task DiscoveredAsync(string context) =>
        _browser.WaitAsync(context, $"Number(document.body.dataset.discovered) >= {TlsTestnet.Size}", PageTimeout);

    private async Task RestoreAndFetchAsync(string context, string seed)
    {
        await _browser.FillAsync(context, "#seed", seed);
        await _browser.ClickAsync(context, "#restore");
        await _browser.WaitAsync(context, "document.body.dataset.key === 'ready'", PageTimeout);
        await _browser.ClickAsync(context, "#fetch");
        await _browser.WaitAsync(context, "document.body.dataset.fetching === 'done'", PageTimeout);
    }

    private async Task<JsonNode> InboxRowAsync(string context, string txHash)
    {
        JsonArray inbox = (await _browser.EvalAsync(context, Rows("#inbox tr", "tx", "amount", "memo")))!.AsArray();
        return inbox.FirstOrDefault(r => Text(r, "tx") == txHash)
            ?? throw new Xunit.Sdk.XunitException($"the mailbox has no notification for {txHash}: {inbox.ToJsonString()}\n{_browser.Log}");
    }

    // The data-* attributes of every element matching a selector, as an array of objects.
    private static string Rows(string selector, params string[] fields) =>
        $"[...document.querySelectorAll('{selector}')].map(e => ({{ {string.Join(", ", fields.Select(f => $"{f}: e.dataset.{f} ?? ''"))} }}))";

    private static string Text(JsonNode? row, string field) => row?[field]?.GetValue<string>() ?? "";
}
