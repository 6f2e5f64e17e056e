using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nnrp.Cli.Tests;

/// <summary>`nnrp send`, `fetch`, `status` as processes against real nodes: the round trip a wallet tester runs.</summary>
public sealed class SendFetchCommandTests : IDisposable
{
    private const string R = "8f3c2e1d0b9a8877665544332211ffeeddccbbaa99887766554433221100aabb";
    private const string Tx = "d1c2b3a4958677685a4b3c2d1e0f11223344556677889900aabbccddeeff0011";

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-roundtrip-").FullName;

    [Fact]
    public async Task Keygen_then_send_then_fetch_prints_the_R_and_tx_hash_that_were_sent()
    {
        await using InProcessNodes nodes = await InProcessNodes.StartAsync(3);
        string key = Path.Combine(_root, "wallet.json");
        (int keygen, string keyOut) = await RunAsync("keygen", "--out", key);
        Assert.True(keygen == 0, keyOut);
        string uri = Regex.Match(keyOut, @"^uri\s+(\S+)$", RegexOptions.Multiline).Groups[1].Value;

        (int send, string sent) = await RunAsync(["send", "--to", uri, "--r", R, "--tx", Tx, "--amount", "1000000000000000000000000", "--memo", "thanks", "--threshold", InProcessNodes.CheapThreshold, .. nodes.NodeArgs]);
        Assert.True(send == 0, sent);
        Assert.Equal(3, Regex.Count(sent, @"^stored 12D3KooW\w+ until ", RegexOptions.Multiline));
        string hash = Regex.Match(sent, @"^hash\s+([0-9a-f]{64})$", RegexOptions.Multiline).Groups[1].Value;

        (int fetch, string fetched) = await RunAsync(["fetch", "--key", key, "--json", "--base-threshold", InProcessNodes.CheapThreshold, .. nodes.NodeArgs]);
        Assert.True(fetch == 0, fetched);
        using JsonDocument line = JsonDocument.Parse(fetched.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith('{')));
        Assert.Equal(hash, line.RootElement.GetProperty("hash").GetString());
        JsonElement ev = line.RootElement.GetProperty("event");
        Assert.Equal(R, ev.GetProperty("R").GetString());
        Assert.Equal(Tx, ev.GetProperty("tx_hash").GetString());
        Assert.Equal("thanks", ev.GetProperty("memo").GetString());
        Assert.True(line.RootElement.GetProperty("timestamp").GetUInt64() > 1_700_000_000);

        // The checkpoint beside the key file: the next fetch has nothing new.
        Assert.True(File.Exists(key + ".checkpoint.json"));
        (int again, string second) = await RunAsync(["fetch", "--key", key, "--base-threshold", InProcessNodes.CheapThreshold, .. nodes.NodeArgs]);
        Assert.True(again == 0, second);
        Assert.Contains("0 new", second, StringComparison.Ordinal);
        Assert.Contains("1 seen before", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Items_below_the_work_floor_are_reported_as_rejected_json_lines_not_opened()
    {
        await using InProcessNodes nodes = await InProcessNodes.StartAsync(2);
        string key = Path.Combine(_root, "floor.json");
        (_, string keyOut) = await RunAsync("keygen", "--out", key);
        string uri = Regex.Match(keyOut, @"^uri\s+(\S+)$", RegexOptions.Multiline).Groups[1].Value;
        (int send, string sent) = await RunAsync(["send", "--to", uri, "--r", R, "--tx", Tx, "--replicas", "2", "--threshold", InProcessNodes.CheapThreshold, .. nodes.NodeArgs]);
        Assert.True(send == 0, sent);

        // The default floor is the network's base threshold; cheap testnet work is below it.
        (int fetch, string fetched) = await RunAsync(["fetch", "--key", key, "--json", "--no-checkpoint", .. nodes.NodeArgs]);
        Assert.True(fetch == 0, fetched);
        using JsonDocument line = JsonDocument.Parse(fetched.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith('{')));
        Assert.False(line.RootElement.TryGetProperty("event", out _));
        Assert.Equal("insufficient_work", line.RootElement.GetProperty("rejected").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Status_prints_the_thresholds_of_a_node()
    {
        await using InProcessNodes nodes = await InProcessNodes.StartAsync(1, baseThreshold: 0xfffffe0000000000UL);
        (int code, string output) = await RunAsync("status", nodes.Addresses[0]);
        Assert.True(code == 0, output);
        Assert.Matches(new Regex(@"^base_threshold\s+fffffe0000000000$", RegexOptions.Multiline), output);
        Assert.Matches(new Regex(@"^protocol_version\s+1$", RegexOptions.Multiline), output);
    }

    [Fact]
    public async Task Sending_when_every_node_is_down_fails_with_exit_code_1()
    {
        string deadNode = "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
        (int code, string output) = await RunAsync("send", "--to", "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7",
            "--r", R, "--tx", Tx, "--threshold", "ff00000000000000", "--node", deadNode);
        Assert.True(code == 1, output);
        Assert.Contains("stored on 0 of the 3", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("send", "--to", "nostr:npub1sn0wdenkukak0d9dfczzeacvhkrgz92ak56egt7vdgzn8pv2wfqqhrjdv9", "--r", R, "--tx", Tx)]
    [InlineData("send", "--to", "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7", "--r", "xyz", "--tx", Tx)]
    [InlineData("send", "--to", "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7", "--r", R, "--tx", Tx, "--node", "ftp://127.0.0.1:8080")]
    [InlineData("send", "--to", "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7", "--r", R, "--tx", Tx, "--node", "/ip4/127.0.0.1/tcp/4001")]
    [InlineData("send", "--to", "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7", "--r", R)]
    [InlineData("fetch")]
    [InlineData("fetch", "--key", "k.json", "--prefix-bits", "300")]
    [InlineData("status")]
    public async Task Bad_send_fetch_and_status_arguments_exit_with_code_2(params string[] args)
    {
        (int code, string output) = await RunAsync(args);
        Assert.True(code == 2, $"exit {code}:\n{output}");
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        await using var process = NnrpProcess.Start(args);
        int code = await process.WaitForExitAsync();
        return (code, process.Output);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
