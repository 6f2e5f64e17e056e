using System.Text.Json;

namespace Nnrp.Cli.Tests;

/// <summary>
/// NNRP.md §10.3: the URI <c>nnrp keygen</c> and <c>nnrp key from-seed</c> print carries the
/// relay hints given, an HTTP API URL written as its multiaddr so browser wallets find the door.
/// </summary>
public sealed class RelayHintTests : IDisposable
{
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-relay-").FullName;

    [Fact]
    public async Task Keygen_writes_an_https_url_as_a_tls_http_multiaddr_hint_and_keeps_multiaddrs_as_given()
    {
        const string Libp2p = "/dns4/node.example.org/tcp/443/tls/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
        await using var process = NnrpProcess.Start("keygen", "--out", Path.Combine(_root, "k.json"), "--json", "--relay", "https://node.example.org", "--relay", Libp2p);
        Assert.Equal(0, await process.WaitForExitAsync());

        using JsonDocument output = JsonDocument.Parse(process.Output);
        string uri = output.RootElement.GetProperty("uri").GetString()!;
        Assert.EndsWith("?relay=/dns4/node.example.org/tcp/443/tls/http&relay=" + Libp2p, uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_from_seed_takes_an_http_url_with_its_port()
    {
        await using var process = NnrpProcess.Start("key", "from-seed", "--seed", Seed, "--out", Path.Combine(_root, "s.json"), "--json", "--relay", "http://203.0.113.5:8080");
        Assert.Equal(0, await process.WaitForExitAsync());

        using JsonDocument output = JsonDocument.Parse(process.Output);
        Assert.EndsWith("?relay=/ip4/203.0.113.5/tcp/8080/http", output.RootElement.GetProperty("uri").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_with_a_path_is_a_usage_error_and_no_key_file_is_written()
    {
        string path = Path.Combine(_root, "k.json");
        await using var process = NnrpProcess.Start("keygen", "--out", path, "--relay", "https://node.example.org/nnrp/");
        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.False(File.Exists(path));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
