using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Cli.Tests;

/// <summary>
/// <c>nnrp node</c> settings from the command line, the environment and a JSON file: every
/// setting from each source, and which source wins.
/// </summary>
public sealed class NodeSettingsTests : IDisposable
{
    /// <summary>
    /// For each setting: values unlike its default, as an operator writes them, and what
    /// <see cref="NodeSettings"/> holds after binding them.
    /// </summary>
    private static readonly Dictionary<string, (string[] Values, Func<NodeSettings, object?> Bound, object Expected)> Samples = new(StringComparer.Ordinal)
    {
        ["data-dir"] = (["/tmp/nnrp-settings-test"], s => s.DataDir, "/tmp/nnrp-settings-test"),
        ["listen"] = (["/ip4/127.0.0.1/tcp/4100", "/ip6/::1/tcp/4101"], s => s.Listen.ToArray(), new[] { "/ip4/127.0.0.1/tcp/4100", "/ip6/::1/tcp/4101" }),
        ["announce"] = (["/dns4/node.example/tcp/4001", "/ip4/203.0.113.5/tcp/4001"], s => s.Announce.ToArray(), new[] { "/dns4/node.example/tcp/4001", "/ip4/203.0.113.5/tcp/4001" }),
        ["http"] = (["http://127.0.0.1:8181"], s => s.Http, "http://127.0.0.1:8181"),
        ["cors"] = (["https://wallet.example", "https://other.example"], s => s.Cors.ToArray(), new[] { "https://wallet.example", "https://other.example" }),
        ["http-announce"] = (["https://node.example.org", "/ip4/203.0.113.5/tcp/8080/http"], s => s.HttpAnnounce.ToArray(), new[] { "/dns4/node.example.org/tcp/443/tls/http", "/ip4/203.0.113.5/tcp/8080/http" }),
        ["tls-cert"] = (["/etc/nnrp/tls/fullchain.pem"], s => s.TlsCert, "/etc/nnrp/tls/fullchain.pem"),
        ["tls-key"] = (["/etc/nnrp/tls/privkey.pem"], s => s.TlsKey, "/etc/nnrp/tls/privkey.pem"),
        ["metrics"] = (["off"], s => s.Metrics, "off"),
        ["trusted-proxy"] = (["10.0.0.0/8", "192.0.2.1"], s => s.TrustedProxy.ToArray(), new[] { "10.0.0.0/8", "192.0.2.1" }),
        ["http-rate-limit"] = (["75"], s => s.HttpRateLimit, 75),
        ["fetch-budget"] = (["8388608"], s => s.FetchBudget, 8388608L),
        ["bootstrap"] = (["/dns4/node1/tcp/4001", "/ip4/192.0.2.7/tcp/4001"], s => s.Bootstrap.ToArray(), new[] { "/dns4/node1/tcp/4001", "/ip4/192.0.2.7/tcp/4001" }),
        ["bootstrap-file"] = (["/etc/nnrp/peers.txt"], s => s.BootstrapFile, "/etc/nnrp/peers.txt"),
        ["dht-mode"] = (["client"], s => s.DhtMode, DhtModeSetting.Client),
        ["autonat-server-rpm"] = (["0"], s => s.AutoNatServerRpm, 0),
        ["private-network"] = (["true"], s => s.PrivateNetwork, true),
        ["base-threshold"] = (["f000000000000000"], s => s.BaseThreshold, (ulong?)0xf000000000000000UL),
        ["log-level"] = (["debug"], s => s.LogLevel, LogLevel.Debug),
        ["log-format"] = (["json"], s => s.LogFormat, "json"),
        ["max-connections"] = (["300"], s => s.MaxConnections, 300),
        ["conn-high-water"] = (["200"], s => s.ConnHighWater, (int?)200),
        ["conn-low-water"] = (["150"], s => s.ConnLowWater, (int?)150),
        ["per-tag-cap"] = (["500"], s => s.PerTagCap, 500),
        ["store-max-bytes"] = (["1048576"], s => s.StoreMaxBytes, 1048576L),
        ["shards"] = (["2/1,4/0"], s => s.Shards.ToString(), "2/1,4/0"),
        ["shard-first-evaluation"] = (["1.5"], s => s.ShardFirstEvaluation, TimeSpan.FromSeconds(1.5)),
        ["shard-evaluate-interval"] = (["2"], s => s.ShardEvaluateInterval, TimeSpan.FromSeconds(2)),
        ["shard-min-move-interval"] = (["30"], s => s.ShardMinMoveInterval, TimeSpan.FromSeconds(30)),
        ["sync-interval"] = (["2.5"], s => s.SyncInterval, TimeSpan.FromSeconds(2.5)),
        ["relay-service"] = (["on"], s => s.RelayService, RelayServiceMode.On),
        ["auto-relays"] = (["3"], s => s.AutoRelays, 3),
        ["relay"] = (["/ip4/192.0.2.9/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN"], s => s.Relay.ToArray(), new[] { "/ip4/192.0.2.9/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN" }),
    };

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-settings-").FullName;

    public static TheoryData<string> Settings() => [.. NodeSettings.All.Select(s => s.Name)];

    [Fact]
    public void Every_setting_has_a_sample_and_every_sample_a_setting()
    {
        Assert.Equal(NodeSettings.All.Select(s => s.Name).Order(), Samples.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_setting_differs_from_its_default_in_the_samples(string name)
    {
        (_, Func<NodeSettings, object?> bound, object expected) = Samples[name];
        Assert.NotEqual(expected, bound(new NodeSettings()));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_setting_binds_from_the_command_line(string name)
    {
        (string[] values, Func<NodeSettings, object?> bound, object expected) = Samples[name];
        SettingInfo setting = NodeSettings.All.Single(s => s.Name == name);
        string[] args = setting.IsFlag ? ["--" + name] : [.. values.SelectMany(v => new[] { "--" + name, v })];

        Assert.Equal(expected, bound(Read(args)));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_setting_binds_from_the_environment(string name)
    {
        (string[] values, Func<NodeSettings, object?> bound, object expected) = Samples[name];
        SettingInfo setting = NodeSettings.All.Single(s => s.Name == name);

        Assert.Equal(expected, bound(Read([], (setting.EnvironmentName, string.Join(",", values)))));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_setting_binds_from_the_config_file(string name)
    {
        (string[] values, Func<NodeSettings, object?> bound, object expected) = Samples[name];
        SettingInfo setting = NodeSettings.All.Single(s => s.Name == name);
        object json = setting.IsList ? values : setting.IsFlag ? bool.Parse(values[0]) : values[0];
        string file = Write("node.json", JsonSerializer.Serialize(new Dictionary<string, object> { [setting.ConfigName] = json }));

        Assert.Equal(expected, bound(Read(["--config", file])));
    }

    [Fact]
    public void Numbers_in_the_config_file_may_be_json_numbers()
    {
        string file = Write("node.json", """{"max_connections": 300, "sync_interval": 2.5, "private_network": true}""");
        NodeSettings settings = Read(["--config", file]);
        Assert.Equal(300, settings.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(2.5), settings.SyncInterval);
        Assert.True(settings.PrivateNetwork);
    }

    [Fact]
    public void A_flag_given_only_in_the_environment_is_on()
    {
        Assert.True(Read([], ("NNRP_PRIVATE_NETWORK", "1")).PrivateNetwork);
    }

    [Fact]
    public void A_flag_false_on_the_command_line_overrides_the_environment()
    {
        Assert.False(Read(["--private-network", "false"], ("NNRP_PRIVATE_NETWORK", "1")).PrivateNetwork);
    }

    [Fact]
    public void The_command_line_wins_over_the_environment_which_wins_over_the_file_which_wins_over_the_default()
    {
        string file = Write("node.json", """{"http": "http://127.0.0.1:1001", "per_tag_cap": 11, "max_connections": 12}""");

        NodeSettings settings = Read(["--config", file, "--http", "http://127.0.0.1:3003"],
            ("NNRP_HTTP", "http://127.0.0.1:2002"), ("NNRP_PER_TAG_CAP", "22"));

        Assert.Equal("http://127.0.0.1:3003", settings.Http);
        Assert.Equal(22, settings.PerTagCap);
        Assert.Equal(12, settings.MaxConnections);
        Assert.Equal(new NodeSettings().StoreMaxBytes, settings.StoreMaxBytes);
    }

    [Fact]
    public void A_list_is_taken_whole_from_the_source_that_wins()
    {
        string file = Write("node.json", """{"listen": ["/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2", "/ip4/127.0.0.1/tcp/3"], "cors": ["https://a.example", "https://b.example"]}""");

        NodeSettings settings = Read(["--config", file, "--listen", "/ip4/127.0.0.1/tcp/9"], ("NNRP_CORS", "https://c.example"));

        Assert.Equal(["/ip4/127.0.0.1/tcp/9"], settings.Listen);
        Assert.Equal(["https://c.example"], settings.Cors);
    }

    [Fact]
    public void An_empty_environment_value_falls_through_to_the_file()
    {
        string file = Write("node.json", """{"bootstrap": ["/dns4/node1/tcp/4001"]}""");
        Assert.Equal(["/dns4/node1/tcp/4001"], Read(["--config", file], ("NNRP_BOOTSTRAP", "")).Bootstrap);
    }

    [Fact]
    public void The_config_file_may_be_named_in_the_environment()
    {
        string file = Write("node.json", """{"per_tag_cap": 7}""");
        Assert.Equal(7, Read([], ("NNRP_CONFIG", file)).PerTagCap);
    }

    [Theory]
    [InlineData("""{"listen_adress": "/ip4/127.0.0.1/tcp/0"}""", "unknown setting 'listen_adress'")]
    [InlineData("""{"Listen": ["/ip4/127.0.0.1/tcp/0"]}""", "unknown setting 'Listen'")]
    [InlineData("""{"http": ["http://127.0.0.1:1"]}""", "'http' must be one value")]
    [InlineData("""{"listen": {"a": "/ip4/127.0.0.1/tcp/0"}}""", "'listen' must be a list of strings")]
    [InlineData("""{"max_connections": "many"}""", "'max_connections': 'many' is not valid")]
    [InlineData("""[1, 2]""", "config file")]
    [InlineData("""{"http": """, "config file")]
    public void A_bad_config_file_is_refused_naming_the_problem(string json, string expected)
    {
        string file = Write("bad.json", json);
        var ex = Assert.Throws<FormatException>(() => Read(["--config", file]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_missing_config_file_is_refused()
    {
        var ex = Assert.Throws<FormatException>(() => Read(["--config", Path.Combine(_root, "absent.json")]));
        Assert.Contains("absent.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NNRP_MAX_CONNECTIONS", "many")]
    [InlineData("NNRP_PRIVATE_NETWORK", "maybe")]
    [InlineData("NNRP_BASE_THRESHOLD", "fff")]
    [InlineData("NNRP_DHT_MODE", "sometimes")]
    [InlineData("NNRP_AUTONAT_SERVER_RPM", "-1")]
    [InlineData("NNRP_LOG_FORMAT", "xml")]
    [InlineData("NNRP_HTTP_RATE_LIMIT", "0")]
    [InlineData("NNRP_FETCH_BUDGET", "1024")]
    [InlineData("NNRP_TRUSTED_PROXY", "not-an-address")]
    [InlineData("NNRP_RELAY", "/ip4/192.0.2.9/tcp/4001")]
    [InlineData("NNRP_RELAY", "/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN/p2p-circuit/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN")]
    [InlineData("NNRP_RELAY_SERVICE", "maybe")]
    [InlineData("NNRP_AUTO_RELAYS", "9")]
    [InlineData("NNRP_AUTO_RELAYS", "-1")]
    [InlineData("NNRP_SHARDS", "some")]
    [InlineData("NNRP_SHARDS", "17/0")]
    [InlineData("NNRP_SHARDS", "2/4")]
    [InlineData("NNRP_SHARDS", "2/1,4/4")]
    [InlineData("NNRP_SHARDS", "3/1,3/1")]
    public void A_malformed_environment_value_is_refused_naming_the_variable(string variable, string value)
    {
        var ex = Assert.Throws<FormatException>(() => Read([], (variable, value)));
        Assert.StartsWith(variable + ": '" + value + "' is not valid", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("full", "0/0")]
    [InlineData("AUTO", "auto")]
    [InlineData(" 1/1 , 8/3 ", "1/1,8/3")]
    public void The_shards_setting_takes_auto_full_or_a_list(string value, string expected)
    {
        Assert.Equal(expected, Read(["--shards", value]).Shards.ToString());
        Assert.Equal(expected, Read([], ("NNRP_SHARDS", value)).Shards.ToString());
    }

    [Fact]
    public void A_malformed_command_line_value_is_refused_naming_the_option()
    {
        var ex = Assert.Throws<FormatException>(() => Read(["--per-tag-cap", "lots"]));
        Assert.StartsWith("--per-tag-cap: 'lots' is not valid", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/udp/4842/quic-v1")]
    [InlineData("/ip4/127.0.0.1/tcp/4842/tls/sni/example.com/ws")]
    [InlineData("/ip4/127.0.0.1/udp/4842")]
    [InlineData("/dns4/localhost/tcp/4842")]
    [InlineData("/ip4/999.0.0.1/tcp/1")]
    public void A_listen_address_without_a_transport_is_refused(string address)
    {
        var ex = Assert.Throws<FormatException>(() => Read(["--listen", address]));
        Assert.StartsWith("Bad --listen address " + address + ":", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/ip4|ip6/<address>/tcp/<port>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WebSocket_listen_addresses_are_taken_beside_tcp_ones()
    {
        NodeSettings settings = Read(["--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/tcp/0/ws", "--listen", "/ip6/::1/tcp/0/ws"]);
        Assert.Equal(["/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/0/ws", "/ip6/::1/tcp/0/ws"], settings.Listen);
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/0/tls/ws")]
    [InlineData("/ip4/127.0.0.1/tcp/0/wss")]
    public void A_tls_websocket_listener_without_a_certificate_is_a_settings_error(string address)
    {
        var ex = Assert.Throws<FormatException>(() => Read(["--listen", address]));
        Assert.StartsWith("Bad --listen address " + address + ":", ex.Message, StringComparison.Ordinal);
        Assert.Contains("certificate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dns4/node.example.com/tcp/443/tls/ws")]
    [InlineData("/ip4/203.0.113.5/tcp/4002/ws")]
    public void A_websocket_announce_address_is_taken(string address)
    {
        NodeSettings settings = Read([], ("NNRP_ANNOUNCE", address));
        Assert.Equal([address], settings.Announce);
    }

    [Theory]
    [InlineData("/ip4/203.0.113.5/udp/4001/quic-v1")]
    public void An_announce_address_no_peer_can_dial_is_refused(string address)
    {
        var ex = Assert.Throws<FormatException>(() => Read([], ("NNRP_ANNOUNCE", address)));
        Assert.StartsWith("Bad --announce address " + address + ":", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_readme_table_names_every_setting_with_its_sources_and_default(string name)
    {
        SettingInfo setting = NodeSettings.All.Single(s => s.Name == name);
        string readme = File.ReadAllText(RepositoryFiles.Find("README.md"));
        string[] row = readme.Split('\n').Single(l => l.StartsWith($"| `--{name}`", StringComparison.Ordinal)).Split(" | ");

        Assert.Equal(setting.IsList, row[0].EndsWith("(repeatable)", StringComparison.Ordinal));
        Assert.StartsWith($"`{setting.EnvironmentName}`", row[1], StringComparison.Ordinal);
        Assert.StartsWith($"`{setting.ConfigName}`", row[2], StringComparison.Ordinal);
        Assert.Contains(setting.Default, row[3].Replace("`", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_table_has_no_setting_the_node_lacks()
    {
        string readme = File.ReadAllText(RepositoryFiles.Find("README.md"));
        string[] documented = [.. readme.Split('\n').Where(l => l.StartsWith("| `--", StringComparison.Ordinal)).Select(l => l[3..l.IndexOf('`', 3)])];
        Assert.Equal(NodeSettings.All.Select(s => "--" + s.Name).Order(), documented.Order());
    }

    [Theory]
    [InlineData("data-dir")]
    [InlineData("listen")]
    [InlineData("http")]
    [InlineData("metrics")]
    [InlineData("http-rate-limit")]
    [InlineData("fetch-budget")]
    [InlineData("dht-mode")]
    [InlineData("autonat-server-rpm")]
    [InlineData("log-level")]
    [InlineData("log-format")]
    [InlineData("max-connections")]
    [InlineData("per-tag-cap")]
    [InlineData("store-max-bytes")]
    [InlineData("sync-interval")]
    [InlineData("shards")]
    [InlineData("shard-first-evaluation")]
    [InlineData("shard-evaluate-interval")]
    [InlineData("shard-min-move-interval")]
    public void A_documented_default_is_the_embedded_default(string name)
    {
        SettingInfo setting = NodeSettings.All.Single(s => s.Name == name);
        Func<NodeSettings, object?> bound = Samples[name].Bound;
        Assert.Equal(bound(new NodeSettings()), bound(Read(["--" + name, setting.Default])));
    }

    /// <summary>Binds <paramref name="args"/> over an environment of <paramref name="environment"/> alone.</summary>
    private static NodeSettings Read(string[] args, params (string Name, string Value)[] environment)
    {
        ParseResult parse = NodeCommand.Create().Parse(args);
        Assert.Empty(parse.Errors);
        // The keys as the environment variables provider yields them: the NNRP_ prefix stripped.
        var source = new MemoryConfigurationSource
        {
            InitialData = environment.Select(e => KeyValuePair.Create(e.Name[NodeConfiguration.EnvironmentPrefix.Length..], (string?)e.Value)),
        };
        return NodeCommand.ReadSettings(parse, source);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
