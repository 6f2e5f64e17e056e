using System.Text.Json;
using Nnrp.Cli.Tests.Json;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Kad;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Protocol.Shards;

namespace Nnrp.Cli.Tests;

/// <summary>
/// `nnrp crawl` as a process: given one bootstrap address of a small loopback network it prints
/// every node and the shard table (or one JSON object with the documented fields); bad
/// settings are one line and exit 2; an unreachable bootstrap peer exits 1.
/// </summary>
public sealed class CrawlCommandTests
{
    private const string DeadBootstrap = "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    private static readonly string[] TopContract = ["complete", "stopped_by", "elapsed_s", "bootstrap_reached", "not_visited", "min_providers", "nodes", "shards"];

    private static readonly string[] NodeContract =
    [
        "peer_id", "reachable", "dialed_address", "error", "agent", "libp2p_protocol_version", "protocols", "serves_nnrp", "kad_server",
        "kad_requests", "peers_named", "addresses", "transports", "status_error", "status",
    ];

    private static readonly string[] StatusContract =
    [
        "agent", "protocol_version", "stored", "base_threshold", "current_threshold", "current_multiplier", "now", "max_payload",
        "min_ttl_s", "max_ttl_s", "max_page", "reachability", "shards",
    ];

    private static readonly string[] ShardContract = ["bits", "index", "cid", "providers", "reachable_verified", "under_replicated"];

    [Fact]
    public async Task Crawl_json_maps_a_three_node_network_from_one_bootstrap_address()
    {
        await using Network net = await Network.StartAsync(3);
        JsonRun run = await JsonRun.RunAsync("crawl", "--bootstrap", net.First, "--json", "--peer-timeout", "20");
        Assert.True(run.Code == 0, run.Output);
        JsonElement doc = run.Document();
        Assert.Equal(TopContract, JsonRun.Names(doc));
        Assert.True(doc.GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("stopped_by").ValueKind);
        Assert.Equal(1, doc.GetProperty("bootstrap_reached").GetInt32());
        JsonElement[] nodes = [.. doc.GetProperty("nodes").EnumerateArray()];
        Assert.Equal(net.PeerIds.Order(), nodes.Select(n => n.GetProperty("peer_id").GetString()!).Order());
        foreach (JsonElement node in nodes)
        {
            Assert.Equal(NodeContract, JsonRun.Names(node));
            Assert.True(node.GetProperty("reachable").GetBoolean(), node.ToString());
            Assert.True(node.GetProperty("serves_nnrp").GetBoolean());
            Assert.True(node.GetProperty("kad_server").GetBoolean());
            Assert.Contains(KadOptions.DefaultProtocolId, node.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()));
            Assert.Equal(["tcp"], node.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
            JsonElement status = node.GetProperty("status");
            Assert.Equal(StatusContract, JsonRun.Names(status));
            Assert.Equal(InProcessNodes.CheapThreshold, status.GetProperty("base_threshold").GetString());
            Assert.Equal(0, status.GetProperty("stored").GetInt64());
            // §14.5: a verdict needs 3 AutoNAT servers; each node here has only 2 peers to ask.
            Assert.Equal("unknown", status.GetProperty("reachability").GetString());
        }
        JsonElement shard = Assert.Single(doc.GetProperty("shards").EnumerateArray());
        Assert.Equal(ShardContract, JsonRun.Names(shard));
        Assert.Equal(ShardKeys.CidString(0, 0), shard.GetProperty("cid").GetString());
        Assert.Equal(3, shard.GetProperty("reachable_verified").GetInt32());
        Assert.False(shard.GetProperty("under_replicated").GetBoolean());
    }

    [Fact]
    public async Task Crawl_prints_a_node_table_a_shard_table_and_a_summary()
    {
        await using Network net = await Network.StartAsync(2);
        await using var process = NnrpProcess.Start("crawl", "--bootstrap", net.First, "--peer-timeout", "20");
        int code = await process.WaitForExitAsync();
        Assert.True(code == 0, process.Output);
        Assert.All(net.PeerIds, id => Assert.Contains(id, process.StandardOutput, StringComparison.Ordinal));
        Assert.Contains("UNDER (< 3)", process.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2 peers visited, 2 reachable, 2 answered /nnrp/1.0 status, 0 not visited; 1 shards, 1 under-replicated; complete", process.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_reachable_bootstrap_peer_exits_1_with_one_error_line()
    {
        JsonRun run = await JsonRun.RunAsync("crawl", "--bootstrap", DeadBootstrap, "--json", "--peer-timeout", "5");
        Assert.True(run.Code == 1, run.Output);
        Assert.Equal(0, run.Document().GetProperty("bootstrap_reached").GetInt32());
        Assert.Single(run.Output.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("error: no bootstrap peer reachable (1 tried)", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("crawl", "--bootstrap", "/ip4/127.0.0.1/tcp/4001")]
    [InlineData("crawl", "--bootstrap", "not-a-multiaddr")]
    [InlineData("crawl", "--bootstrap", DeadBootstrap, "--max-peers", "0")]
    [InlineData("crawl", "--bootstrap", DeadBootstrap, "--concurrency", "1000")]
    [InlineData("crawl", "--bootstrap", DeadBootstrap, "--timeout", "-1")]
    [InlineData("crawl", "--bootstrap-file", "/nonexistent-dir/none.txt")]
    public async Task Bad_crawl_settings_exit_2_with_one_error_line(params string[] args)
    {
        await using var process = NnrpProcess.Start(args);
        int code = await process.WaitForExitAsync();
        Assert.True(code == 2, $"exit {code}:\n{process.Output}");
        Assert.Empty(process.StandardOutput);
        string line = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crawl_option_that_does_not_parse_exits_2_with_the_parser_s_message_and_no_stack_trace()
    {
        await using var process = NnrpProcess.Start("crawl", "--bootstrap", DeadBootstrap, "--peer-timeout", "zero");
        int code = await process.WaitForExitAsync();
        Assert.True(code == 2, $"exit {code}:\n{process.Output}");
        Assert.Contains("Cannot parse argument 'zero' for option '--peer-timeout'", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    /// <summary>Nodes on a private loopback network (DHT keeps loopback addresses), each later one bootstrapping from the first.</summary>
    private sealed class Network : IAsyncDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("nnrp-crawl-").FullName;
        private readonly List<NnrpNode> _nodes = [];

        public string First => _nodes[0].Addresses[0].ToString();

        public IEnumerable<string> PeerIds => _nodes.Select(n => n.PeerId.ToString());

        public static async Task<Network> StartAsync(int count)
        {
            var net = new Network();
            for (int i = 0; i < count; i++)
            {
                NnrpNode node = await NnrpNode.StartAsync(new NnrpNodeOptions
                {
                    DataDirectory = Path.Combine(net._root, $"n{i}"),
                    Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = 0xff00000000000000UL } },
                    PrivateNetwork = true,
                    Dht = new NodeDhtOptions { BootstrapPeers = i == 0 ? [] : [net._nodes[0].Addresses[0]] },
                });
                net._nodes.Add(node);
                await node.DhtReady.WaitAsync(NnrpProcess.Timeout);
            }
            byte[] key = ShardKeys.WireKey(0, 0);
            using var deadline = new CancellationTokenSource(NnrpProcess.Timeout);
            while (net._nodes[0].Kad.Providers.Get(key, DateTimeOffset.UtcNow, 100).Count < count)
            {
                await Task.Delay(20, deadline.Token);
            }
            return net;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (NnrpNode node in _nodes)
            {
                await node.DisposeAsync();
            }
            Directory.Delete(_root, recursive: true);
        }
    }
}
