using System.Text.Json;

namespace Nnrp.Cli.Tests.Json;

/// <summary>`nnrp status --json`: one object whose <c>nodes</c> hold each answer and <c>failed</c> each node that did not.</summary>
public sealed class StatusJsonTests
{
    private const string DeadNode = "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    private static readonly string[] NodeContract =
    [
        "node", "agent", "protocol_version", "base_threshold", "current_threshold", "current_multiplier", "stored",
        "now", "clock_skew_s", "max_payload", "min_ttl_s", "max_ttl_s", "max_page", "shards",
    ];

    [Fact]
    public async Task Status_json_gives_each_node_s_thresholds_limits_and_shards_as_typed_values()
    {
        await using InProcessNodes nodes = await InProcessNodes.StartAsync(1, baseThreshold: 0xfffffe0000000000UL);
        JsonRun run = await JsonRun.RunAsync("status", nodes.Addresses[0], "--json");
        Assert.True(run.Code == 0, run.Output);
        JsonElement doc = run.Document();
        Assert.Equal(["nodes", "failed"], JsonRun.Names(doc));
        JsonElement node = Assert.Single(doc.GetProperty("nodes").EnumerateArray());
        Assert.Equal(NodeContract, JsonRun.Names(node));
        Assert.Equal(nodes.Addresses[0], node.GetProperty("node").GetString());
        Assert.Equal(1, node.GetProperty("protocol_version").GetInt32());
        Assert.Equal("fffffe0000000000", node.GetProperty("base_threshold").GetString());
        Assert.Equal(0, node.GetProperty("stored").GetInt64());
        Assert.InRange(Math.Abs(node.GetProperty("clock_skew_s").GetInt64()), 0, 60);
        Assert.True(node.GetProperty("min_ttl_s").GetUInt32() < node.GetProperty("max_ttl_s").GetUInt32());
        Assert.All(node.GetProperty("shards").EnumerateArray(), s => Assert.Equal(["bits", "index"], JsonRun.Names(s)));
        Assert.Empty(doc.GetProperty("failed").EnumerateArray());
    }

    [Fact]
    public async Task A_node_that_does_not_answer_is_listed_under_failed_exits_1_and_keeps_its_stderr_line()
    {
        await using InProcessNodes nodes = await InProcessNodes.StartAsync(1);
        JsonRun run = await JsonRun.RunAsync("status", nodes.Addresses[0], DeadNode, "--json", "--timeout", "10");
        Assert.True(run.Code == 1, run.Output);
        JsonElement doc = run.Document();
        Assert.Single(doc.GetProperty("nodes").EnumerateArray());
        JsonElement failed = Assert.Single(doc.GetProperty("failed").EnumerateArray());
        Assert.Equal(DeadNode, failed.GetProperty("node").GetString());
        Assert.Contains($"error: {DeadNode}: ", run.Output, StringComparison.Ordinal);
    }
}
