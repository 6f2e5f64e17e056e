using System.Net;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Cli.Tests;

/// <summary>Liveness and readiness of a real <c>nnrp node</c> process, as a container orchestrator probes them.</summary>
public sealed class NodeHealthTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-health-").FullName;

    [Fact]
    public async Task A_first_node_is_live_and_ready_once_its_dht_has_started()
    {
        await using var node = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--metrics", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Dir("none.txt"));
        string url = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        await node.WaitForLineAsync(NnrpProcess.DhtReady());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/health/ready")).StatusCode);
        Assert.Equal("""{"status":"ok"}""", await http.GetStringAsync(url + "/healthz"));
    }

    [Fact]
    public async Task A_node_whose_bootstrap_peers_are_all_unreachable_is_live_but_not_ready()
    {
        using KeyPair absent = KeyPair.Generate();
        File.WriteAllText(Dir("peers.txt"), $"/ip4/127.0.0.1/tcp/1/p2p/{absent.PeerId}\n");
        await using var node = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--metrics", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--private-network", "--bootstrap-file", Dir("peers.txt"));
        string url = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        Assert.Equal("0", (await node.WaitForLineAsync(NnrpProcess.DhtReady())).Groups[1].Value);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/health/live")).StatusCode);
        using HttpResponseMessage ready = await http.GetAsync(url + "/health/ready");
        string body = await ready.Content.ReadAsStringAsync();
        Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, body);
        Assert.Contains("routing table empty although 1 bootstrap peers are configured", body, StringComparison.Ordinal);
    }

    private string Dir(string name) => Path.Combine(_root, name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
