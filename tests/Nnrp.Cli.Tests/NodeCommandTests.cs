using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Ping;
using Nnrp.Libp2p.WebSockets;

namespace Nnrp.Cli.Tests;

/// <summary>`nnrp node` as an operator runs it: a real process, real sockets, signals.</summary>
public sealed class NodeCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-cli-").FullName;

    [Fact]
    public async Task A_node_prints_its_dialable_address_and_stops_cleanly_on_SIGTERM()
    {
        await using var node = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Dir("none.txt"));

        Match address = await node.WaitForLineAsync(NnrpProcess.LoopbackAddress());
        Assert.Matches(@"/tcp/[1-9]\d*/p2p/12D3KooW", address.Groups[1].Value);
        await node.WaitForLineAsync(NnrpProcess.DhtReady());

        int code = await node.StopAsync();
        Assert.True(code == 0, $"exit {code}:\n{node.Output}");
        Assert.Contains("Shutting down", node.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Dir("a"), "node.key")));
    }

    [Fact]
    public async Task A_node_bootstraps_from_a_peer_and_after_a_restart_needs_no_bootstrap_peer()
    {
        await using var first = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--private-network", "--bootstrap-file", Dir("none.txt"));
        string firstAddress = (await first.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value;
        File.WriteAllText(Dir("bootstrap.txt"), "# test network\n" + firstAddress + "\n");

        await using (var second = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--data-dir", Dir("b"), "--listen", "/ip4/127.0.0.1/tcp/0", "--private-network", "--bootstrap-file", Dir("bootstrap.txt")))
        {
            Match ready = await second.WaitForLineAsync(NnrpProcess.DhtReady());
            Assert.Equal("1", ready.Groups[1].Value);
            int code = await second.StopAsync();
            Assert.True(code == 0, $"exit {code}:\n{second.Output}");
        }
        Assert.Contains(firstAddress, File.ReadAllText(Path.Combine(Dir("b"), "kad-peers.txt")), StringComparison.Ordinal);

        await using var restarted = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--data-dir", Dir("b"), "--listen", "/ip4/127.0.0.1/tcp/0", "--private-network", "--bootstrap-file", Dir("none.txt"));
        Match again = await restarted.WaitForLineAsync(NnrpProcess.DhtReady());
        Assert.Equal("1", again.Groups[1].Value);
    }

    [Fact]
    public async Task A_node_listens_on_tcp_and_websocket_together_and_a_peer_bootstraps_over_websocket()
    {
        await using var first = NnrpProcess.Start("node", "--http", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/tcp/0/ws", "--private-network", "--bootstrap-file", Dir("none.txt"));
        await first.WaitForLineAsync(NnrpProcess.LoopbackAddress());
        string wsAddress = (await first.WaitForLineAsync(new Regex(@"Reachable at (/ip4/127\.0\.0\.1/tcp/[1-9]\d*/ws/p2p/\w+)"))).Groups[1].Value;

        await using var second = NnrpProcess.Start("node", "--http", "off", "--data-dir", Dir("b"), "--listen", "/ip4/127.0.0.1/tcp/0/ws", "--private-network", "--bootstrap-file", Dir("none.txt"), "--bootstrap", wsAddress);

        Assert.Equal("1", (await second.WaitForLineAsync(NnrpProcess.DhtReady())).Groups[1].Value);
    }

    [Fact]
    public async Task A_node_with_a_certificate_listens_on_tls_websocket_and_a_peer_trusting_it_pings_it()
    {
        using TestCertificate certificate = TestCertificate.Create(_root);
        await using var node = NnrpProcess.Start("node", "--http", "off", "--metrics", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0/tls/ws",
            "--tls-cert", certificate.CertPath, "--tls-key", certificate.KeyPath, "--private-network", "--bootstrap-file", Dir("none.txt"));
        string wssAddress = (await node.WaitForLineAsync(new Regex(@"Reachable at (/ip4/127\.0\.0\.1/tcp/[1-9]\d*/tls/ws/p2p/\w+)"))).Groups[1].Value;

        // The peer accepts exactly the node's certificate: the TLS door serves the --tls-cert one.
        var options = new HostOptions
        {
            ListenAddresses = [],
            WebSocket = new WebSocketTransportOptions { RemoteCertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Certificate.GetCertHashString() },
        };
        await using var peer = new Libp2pHost(KeyPair.Generate(), options, NullLoggerFactory.Instance);
        var ping = new PingService(peer);
        ping.Start();
        await peer.StartAsync(CancellationToken.None);
        Multiaddr address = Multiaddr.Parse(wssAddress);
        await peer.DialAsync(address, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await ping.PingAsync(PeerId.Parse(wssAddress[(wssAddress.LastIndexOf('/') + 1)..]), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_bad_listen_address_exits_with_code_2_and_says_why()
    {
        await using var node = NnrpProcess.Start("node", "--http", "http://127.0.0.1:0", "--data-dir", Dir("a"), "--listen", "/ip4/999.0.0.1/tcp/1");
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("Bad --listen address", node.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--listen", "/ip4/127.0.0.1/udp/4842/quic-v1", "Bad --listen address /ip4/127.0.0.1/udp/4842/quic-v1:")]
    [InlineData("--listen", "/ip4/127.0.0.1/udp/4842", "Bad --listen address /ip4/127.0.0.1/udp/4842:")]
    [InlineData("--announce", "/ip4/127.0.0.1/udp/4842/quic-v1", "Bad --announce address /ip4/127.0.0.1/udp/4842/quic-v1:")]
    [InlineData("--max-connections", "many", "--max-connections: 'many' is not valid")]
    [InlineData("--shard-evaluate-interval", "0", "--shard-evaluate-interval: '0' is not valid (seconds above 0 and at most 86400 expected)")]
    [InlineData("--shard-min-move-interval", "soon", "--shard-min-move-interval: 'soon' is not valid")]
    public async Task A_setting_the_node_cannot_use_exits_with_code_2_and_one_line(string option, string value, string expected)
    {
        await using var node = NnrpProcess.Start("node", "--http", "off", "--metrics", "off", "--data-dir", Dir("a"), "--bootstrap-file", Dir("none.txt"), option, value);

        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.StartsWith("nnrp node: " + expected, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', node.Output.Trim());
        Assert.False(Directory.Exists(Dir("a")), "nothing is created before the settings are checked");
    }

    [Fact]
    public async Task A_malformed_environment_value_exits_with_code_2_naming_the_variable()
    {
        await using var node = NnrpProcess.Start(new Dictionary<string, string> { ["NNRP_SYNC_INTERVAL"] = "soon" }, "node", "--http", "off", "--data-dir", Dir("a"));

        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.StartsWith("nnrp node: NNRP_SYNC_INTERVAL: 'soon' is not valid", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', node.Output.Trim());
    }

    [Fact]
    public async Task Settings_from_the_environment_reach_the_running_node()
    {
        var environment = new Dictionary<string, string>
        {
            ["NNRP_LISTEN"] = "/ip4/127.0.0.1/tcp/0",
            ["NNRP_HTTP"] = "http://127.0.0.1:0",
            ["NNRP_METRICS"] = "off",
            ["NNRP_DATA_DIR"] = Dir("env"),
            ["NNRP_BOOTSTRAP_FILE"] = Dir("none.txt"),
            ["NNRP_BASE_THRESHOLD"] = "f000000000000000",
        };
        await using var node = NnrpProcess.Start(environment, "node");

        string url = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("\"base_threshold\":\"f000000000000000\"", await http.GetStringAsync(url + "/v1/work"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Dir("env"), "node.key")));
        int code = await node.StopAsync();
        Assert.True(code == 0, $"exit {code}:\n{node.Output}");
    }

    [Fact]
    public async Task A_bootstrap_entry_without_a_peer_id_is_dialed_and_its_peer_id_learned()
    {
        await using var first = NnrpProcess.Start("node", "--http", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--private-network", "--bootstrap-file", Dir("none.txt"));
        string firstAddress = (await first.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value;
        string withoutId = firstAddress[..firstAddress.IndexOf("/p2p/", StringComparison.Ordinal)];

        await using var second = NnrpProcess.Start("node", "--http", "off", "--data-dir", Dir("b"), "--listen", "/ip4/127.0.0.1/tcp/0", "--private-network", "--bootstrap-file", Dir("none.txt"), "--bootstrap", withoutId);

        Assert.Equal("1", (await second.WaitForLineAsync(NnrpProcess.DhtReady())).Groups[1].Value);
        Assert.Contains("is " + firstAddress[(firstAddress.IndexOf("/p2p/", StringComparison.Ordinal) + 5)..], second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bootstrap_file_entry_without_a_peer_id_exits_with_code_2()
    {
        File.WriteAllText(Dir("loose.txt"), "/ip4/127.0.0.1/tcp/4001\n");
        await using var node = NnrpProcess.Start("node", "--http", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Dir("loose.txt"));
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("no /p2p/", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_HTTP_API_answers_on_the_printed_url_with_the_configured_threshold()
    {
        File.WriteAllText(Dir("node.json"), "{\"base_threshold\": \"f000000000000000\", \"listen\": [\"/ip4/127.0.0.1/tcp/0\"], \"http\": \"http://127.0.0.1:0\"}");
        await using var node = NnrpProcess.Start("node", "--config", Dir("node.json"), "--data-dir", Dir("a"), "--bootstrap-file", Dir("none.txt"));

        string url = (await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string work = await http.GetStringAsync(url + "/v1/work");
        string status = await http.GetStringAsync(url + "/v1/status");

        Assert.Contains("\"base_threshold\":\"f000000000000000\"", work, StringComparison.Ordinal);
        Assert.Contains("\"peer_id\":\"12D3KooW", status, StringComparison.Ordinal);
        int code = await node.StopAsync();
        Assert.True(code == 0, $"exit {code}:\n{node.Output}");
    }

    [Fact]
    public async Task A_config_file_with_an_unknown_key_exits_with_code_2_and_names_it()
    {
        File.WriteAllText(Dir("bad.json"), "{\"listen_adress\": \"/ip4/127.0.0.1/tcp/0\"}");
        await using var node = NnrpProcess.Start("node", "--config", Dir("bad.json"));
        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Contains("unknown setting 'listen_adress'", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_log_format_writes_one_json_object_per_line()
    {
        await using var node = NnrpProcess.Start("node", "--log-format", "json", "--http", "off", "--data-dir", Dir("a"), "--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap-file", Dir("none.txt"));
        await node.WaitForLineAsync(new System.Text.RegularExpressions.Regex("DHT ready"));
        int code = await node.StopAsync();
        Assert.True(code == 0, $"exit {code}:\n{node.Output}");
        foreach (string line in node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(doc.RootElement.TryGetProperty("Message", out _));
        }
    }

    private string Dir(string name) => Path.Combine(_root, name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
