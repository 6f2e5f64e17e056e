using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Protocol;
using Xunit.Abstractions;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Issue 6 end to end: three `nnrp node` processes joined through a bootstrap file; what one
/// node accepts (over /nnrp/1.0 or HTTP) is fetchable from the others, and a node killed with
/// SIGKILL comes back with its data.
/// </summary>
public sealed class ThreeNodeNetworkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string CheapThreshold = "f000000000000000";
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-net-").FullName;
    private readonly NnrpProcess?[] _nodes = new NnrpProcess?[3];
    private readonly string[] _http = new string[3];
    private readonly string[] _metrics = new string[3];
    private readonly Multiaddr[] _p2p = new Multiaddr[3];
    private Libp2pHost _client = null!;

    public async Task InitializeAsync()
    {
        await StartAsync(0);
        File.WriteAllText(Path.Combine(_root, "bootstrap-peers.txt"), "# the test network\n" + _p2p[0] + "\n");
        await Task.WhenAll(StartAsync(1), StartAsync(2));
        // Gossip needs the mesh: wait until B and C each have a peer on the topic (via /metrics).
        foreach (int i in new[] { 1, 2 })
        {
            await Testnet.UntilAsync(async () => (await Metric(i, "nnrp_gossip_mesh_peers")) >= 1, $"node {i} has a gossip mesh peer", NnrpProcess.Timeout);
        }
        _client = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
        await _client.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        foreach (NnrpProcess? node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_notification_published_to_one_node_is_fetchable_from_the_others_by_tag_and_prefix()
    {
        Notification n = Testnet.Cheap();
        var nnrp = new NnrpClient(_client);
        var clock = Stopwatch.StartNew();

        PublishResult published = await nnrp.PublishAsync(_p2p[0], n);
        Assert.True(published.IsStored, published.Message);
        Assert.True(StoreReceipts.Verify(published.Receipt!));

        foreach (int i in new[] { 1, 2 })
        {
            await Testnet.UntilAsync(async () => (await nnrp.FetchAsync(_p2p[i], FetchQuery.ForTag(n.RecipientTag))).Notifications.Any(x => x.Hash == n.Hash), $"node {i} serves it by tag", NnrpProcess.Timeout);
            NotificationPage page = await nnrp.FetchAsync(_p2p[i], QueryPrefix(n.RecipientTag, 12));
            Assert.Contains(page.Notifications, x => x.Hash == n.Hash);
        }
        output.WriteLine($"published on A, fetchable from B and C after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task The_same_holds_over_HTTP_and_a_killed_node_restarts_with_its_data()
    {
        Notification n = Testnet.Cheap();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage posted = await http.PostAsync(_http[1] + "/v1/notifications", new StringContent(NotificationJson.Serialize(n), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        foreach (int i in new[] { 0, 2 })
        {
            await Testnet.UntilAsync(async () => await HasAsync(http, i, n), $"node {i} serves it over HTTP", NnrpProcess.Timeout);
        }

        // SIGKILL: no shutdown code runs; the acknowledged write must be on disk already.
        await _nodes[2]!.DisposeAsync();
        _nodes[2] = null;
        await StartAsync(2);
        Assert.True(await HasAsync(http, 2, n), "the restarted node still has the notification");
        string prefix = n.RecipientTag.ToString()[..2];
        using JsonDocument page = JsonDocument.Parse(await http.GetStringAsync($"{_http[2]}/v1/notifications?tag_prefix={prefix}&prefix_bits=8"));
        Assert.Contains(page.RootElement.GetProperty("notifications").EnumerateArray(), e => e.GetProperty("recipient_tag").GetString() == n.RecipientTag.ToString());
    }

    private async Task<bool> HasAsync(HttpClient http, int node, Notification n)
    {
        using JsonDocument page = JsonDocument.Parse(await http.GetStringAsync($"{_http[node]}/v1/notifications?tag={n.RecipientTag}"));
        return page.RootElement.GetProperty("notifications").EnumerateArray().Any(e => e.GetProperty("payload").GetString() == Convert.ToBase64String(n.Payload.Span));
    }

    private async Task StartAsync(int i)
    {
        string[] args =
        [
            "node", "--data-dir", Path.Combine(_root, "n" + i), "--listen", "/ip4/127.0.0.1/tcp/0",
            "--http", "http://127.0.0.1:0", "--metrics", "http://127.0.0.1:0", "--private-network", "--base-threshold", CheapThreshold,
            "--bootstrap-file", Path.Combine(_root, i == 0 ? "none.txt" : "bootstrap-peers.txt"),
        ];
        NnrpProcess node = NnrpProcess.Start(args);
        _nodes[i] = node;
        _p2p[i] = Multiaddr.Parse((await node.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
        _http[i] = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        _metrics[i] = (await node.WaitForLineAsync(NnrpProcess.MetricsUrl())).Groups[1].Value;
        await node.WaitForLineAsync(NnrpProcess.DhtReady());
    }

    private async Task<double> Metric(int node, string name)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string text = await http.GetStringAsync(_metrics[node] + "/metrics");
        return PrometheusText.Values(text, name).DefaultIfEmpty(0).Max();
    }

    private static FetchQuery QueryPrefix(RecipientTag tag, int bits)
    {
        byte[] prefix = tag.ToArray()[..((bits + 7) / 8)];
        if (bits % 8 != 0)
        {
            prefix[^1] &= (byte)(0xff << (8 - (bits % 8)));
        }
        return FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = (uint)bits, Prefix = ByteString.CopyFrom(prefix) } });
    }
}
