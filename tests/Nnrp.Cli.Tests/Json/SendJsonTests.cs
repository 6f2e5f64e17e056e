using System.Text.Json;

namespace Nnrp.Cli.Tests.Json;

/// <summary>`nnrp send --json` against real nodes: one object with the hash, the receipts and the failures.</summary>
public sealed class SendJsonTests
{
    private const string R = "8f3c2e1d0b9a8877665544332211ffeeddccbbaa99887766554433221100aabb";
    private const string Tx = "d1c2b3a4958677685a4b3c2d1e0f11223344556677889900aabbccddeeff0011";
    private const string Uri = "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7";
    private const string DeadNode = "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    private static readonly string[] Contract = ["hash", "relay_address", "work", "timestamp", "target", "met_target", "holders_found", "stored", "failed"];

    [Fact]
    public async Task Send_json_lists_one_stored_entry_per_node_with_its_expiry()
    {
        await using InProcessNodes nodes = await InProcessNodes.StartAsync(2);
        JsonRun run = await JsonRun.RunAsync(["send", "--to", Uri, "--r", R, "--tx", Tx, "--replicas", "2", "--json",
            "--threshold", InProcessNodes.CheapThreshold, .. nodes.NodeArgs]);
        Assert.True(run.Code == 0, run.Output);
        JsonElement doc = run.Document();
        Assert.Equal(Contract, JsonRun.Names(doc));
        Assert.Matches("^[0-9a-f]{64}$", doc.GetProperty("hash").GetString());
        Assert.Matches("^[0-9a-f]{16}$", doc.GetProperty("work").GetString());
        Assert.Equal(2, doc.GetProperty("target").GetInt32());
        Assert.True(doc.GetProperty("met_target").GetBoolean());
        ulong timestamp = doc.GetProperty("timestamp").GetUInt64();
        JsonElement[] stored = [.. doc.GetProperty("stored").EnumerateArray()];
        Assert.Equal(2, stored.Length);
        Assert.Equal(
            nodes.Addresses.Select(a => a[(a.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal),
            stored.Select(s => s.GetProperty("node").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(stored, s => Assert.True(s.GetProperty("expires_at").GetUInt64() > timestamp));
        Assert.Empty(doc.GetProperty("failed").EnumerateArray());
    }

    [Fact]
    public async Task A_send_that_misses_its_target_still_prints_the_document_and_exits_1_with_an_error_line()
    {
        JsonRun run = await JsonRun.RunAsync("send", "--to", Uri, "--r", R, "--tx", Tx, "--replicas", "1", "--json",
            "--threshold", InProcessNodes.CheapThreshold, "--node", DeadNode);
        Assert.True(run.Code == 1, run.Output);
        JsonElement doc = run.Document();
        Assert.False(doc.GetProperty("met_target").GetBoolean());
        Assert.Empty(doc.GetProperty("stored").EnumerateArray());
        JsonElement failure = Assert.Single(doc.GetProperty("failed").EnumerateArray());
        Assert.Contains("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", failure.GetProperty("node").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("reason").GetString()));
        Assert.Contains("error: stored on 0 of the 1", run.Output, StringComparison.Ordinal);
    }
}
