using System.Text.Json;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Cli.Tests.Json;

/// <summary>`nnrp id` reads a data folder's node.key offline: peer id and advertised /p2p/ addresses.</summary>
public sealed class IdJsonTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-id-json-").FullName;

    [Fact]
    public async Task Id_prints_the_peer_id_of_node_key_and_the_announce_addresses_with_p2p()
    {
        string peerId = CreateNodeKey("a");
        JsonRun run = await JsonRun.RunAsync("id", "--data-dir", Path.Combine(_root, "a"), "--json",
            "--announce", "/ip4/203.0.113.7/tcp/4001", "--announce", "/dns4/node.example/tcp/4001");
        Assert.True(run.Code == 0, run.Output);
        JsonElement doc = run.Document();
        Assert.Equal(["peer_id", "key_file", "addresses"], JsonRun.Names(doc));
        Assert.Equal(peerId, doc.GetProperty("peer_id").GetString());
        Assert.Equal(Path.Combine(_root, "a", "node.key"), doc.GetProperty("key_file").GetString());
        Assert.Equal(
            [$"/ip4/203.0.113.7/tcp/4001/p2p/{peerId}", $"/dns4/node.example/tcp/4001/p2p/{peerId}"],
            doc.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray());
    }

    [Fact]
    public async Task Without_announce_the_listen_addresses_are_advertised_and_the_text_form_has_one_line_each()
    {
        string peerId = CreateNodeKey("b");
        JsonRun run = await JsonRun.RunAsync("id", "--data-dir", Path.Combine(_root, "b"), "--listen", "/ip4/127.0.0.1/tcp/4999", "--listen", "/ip6/::1/tcp/4998");
        Assert.True(run.Code == 0, run.Output);
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"peer_id   {peerId}", lines[0]);
        Assert.Equal(
            [$"address   /ip4/127.0.0.1/tcp/4999/p2p/{peerId}", $"address   /ip6/::1/tcp/4998/p2p/{peerId}"],
            lines.Where(l => l.StartsWith("address", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public async Task A_data_folder_without_node_key_exits_1_and_creates_no_key()
    {
        string empty = Path.Combine(_root, "empty");
        JsonRun run = await JsonRun.RunAsync("id", "--data-dir", empty, "--json");
        Assert.Equal(1, run.Code);
        Assert.Equal("", run.Stdout);
        Assert.Contains("error: no ", run.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(empty), "nnrp id created the data folder");
    }

    [Fact]
    public async Task A_malformed_listen_address_is_a_usage_error()
    {
        CreateNodeKey("c");
        JsonRun run = await JsonRun.RunAsync("id", "--data-dir", Path.Combine(_root, "c"), "--listen", "not-a-multiaddr");
        Assert.Equal(2, run.Code);
        Assert.Equal("", run.Stdout);
    }

    /// <summary>The key a node creates on first start, made the same way.</summary>
    private string CreateNodeKey(string folder)
    {
        using KeyPair key = KeyPair.LoadOrCreate(Path.Combine(_root, folder, "node.key"));
        return key.PeerId.ToString();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
