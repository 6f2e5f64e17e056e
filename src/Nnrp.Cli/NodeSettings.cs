using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.WebSockets;

namespace Nnrp.Cli;

/// <summary>
/// Every setting of <c>nnrp node</c>, bound from (first wins) the command line, the
/// environment (<c>NNRP_&lt;NAME&gt;</c>), the config file (<c>--config</c>, JSON with
/// snake_case keys) and the embedded defaults (<see cref="NodeConfiguration"/>). The defaults give a working node that only
/// this machine can reach (issue 6 item 7).
/// </summary>
internal sealed record NodeSettings
{
    public const int DefaultPort = 4001;

    /// <summary>The longest shard timer accepted (a day): longer ones would only be typing mistakes.</summary>
    private const double MaxTimerSeconds = 86_400;

    public string DataDir { get; init; } = Path.GetFullPath("data");

    public IReadOnlyList<string> Listen { get; init; } = [$"/ip4/127.0.0.1/tcp/{DefaultPort}"];

    /// <summary>Addresses to advertise instead of the listen addresses (behind NAT or a proxy).</summary>
    public IReadOnlyList<string> Announce { get; init; } = [];

    /// <summary>HTTP API URL, or <c>off</c>.</summary>
    public string Http { get; init; } = "http://127.0.0.1:8080";

    public IReadOnlyList<string> Cors { get; init; } = [];

    /// <summary>
    /// NNRP.md §12 "Browser doors": the public addresses of the HTTP API (behind a reverse proxy:
    /// <c>https://node.example.org</c>), as multiaddrs (<c>/dns4/node.example.org/tcp/443/tls/http</c>);
    /// empty: the bound URL, advertised only when public (or on a private network).
    /// </summary>
    public IReadOnlyList<string> HttpAnnounce { get; init; } = [];

    /// <summary>PEM certificate (chain) file of the node's TLS doors (<c>--http https://…</c>); with <see cref="TlsKey"/>.</summary>
    public string? TlsCert { get; init; }

    /// <summary>PEM private key file of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; init; }

    /// <summary>Prometheus <c>/metrics</c> URL, apart from the API (NNRP.md §12), or <c>off</c>.</summary>
    public string Metrics { get; init; } = Nnrp.Http.MetricsListener.DefaultUrl;

    /// <summary>Proxies whose Forwarded / X-Forwarded-For headers name the HTTP client.</summary>
    public IReadOnlyList<string> TrustedProxy { get; init; } = [];

    /// <summary>HTTP requests a second per client address (bursts of twice as many).</summary>
    public int HttpRateLimit { get; init; } = new Nnrp.Http.HttpApiOptions().RateLimitPerSecond;

    /// <summary>Bytes of fetch answers in flight over both doors (NNRP.md §11.5).</summary>
    public long FetchBudget { get; init; } = new Nnrp.Node.FetchBudgetOptions().TotalBytes;

    public IReadOnlyList<string> Bootstrap { get; init; } = [];

    public string BootstrapFile { get; init; } = Path.Combine(AppContext.BaseDirectory, "bootstrap-peers.txt");

    public DhtModeSetting DhtMode { get; init; } = DhtModeSetting.Auto;

    /// <summary>NNRP.md §14.5: AutoNAT dial requests served a minute in all; 0 serves none.</summary>
    public int AutoNatServerRpm { get; init; } = new Nnrp.Libp2p.AutoNat.AutoNatServerOptions().RequestsPerMinute;

    public bool PrivateNetwork { get; init; }

    /// <summary>16 hex digits; null keeps the network's base threshold (NNRP.md §6.2).</summary>
    public ulong? BaseThreshold { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary><c>plain</c> or <c>json</c> (one JSON object per line, for log shippers).</summary>
    public string LogFormat { get; init; } = "plain";

    public int MaxConnections { get; init; } = 256;

    /// <summary>NNRP.md §14.1: trim above this many connections; null: 3/4 of <see cref="MaxConnections"/>.</summary>
    public int? ConnHighWater { get; init; }

    /// <summary>NNRP.md §14.1: trim down to this many; null: 5/8 of <see cref="MaxConnections"/>.</summary>
    public int? ConnLowWater { get; init; }

    public int PerTagCap { get; init; } = 1000;

    public long StoreMaxBytes { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>NNRP.md §8.1: auto (depth from --store-max-bytes and the network's volume), full, or a fixed list b/i[,b/i…].</summary>
    public Nnrp.Node.Shards.ShardSetting Shards { get; init; } = Nnrp.Node.Shards.ShardSetting.Auto;

    /// <summary>NNRP.md §8.2: the first depth evaluation after start (testnets shorten the three shard timers).</summary>
    public TimeSpan ShardFirstEvaluation { get; init; } = Nnrp.Node.Shards.DepthPlanner.FirstEvaluation;

    /// <summary>NNRP.md §8.2, §8.5, §8.6: how often the node re-evaluates its depth, checks a move in progress and repairs.</summary>
    public TimeSpan ShardEvaluateInterval { get; init; } = Nnrp.Node.Shards.DepthPlanner.EvaluateInterval;

    /// <summary>NNRP.md §8.2: at most one depth move per this interval.</summary>
    public TimeSpan ShardMinMoveInterval { get; init; } = Nnrp.Node.Shards.DepthPlanner.MinMoveInterval;

    /// <summary>NNRP.md §11.8.7: how often the node syncs with a few random peers.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>NNRP.md §14.4: act as a circuit relay v2 for nodes behind NAT: while publicly dialable (auto), always, or never.</summary>
    public RelayServiceMode RelayService { get; init; } = RelayServiceMode.Auto;

    /// <summary>NNRP.md §14.4 "Choosing relays": relays to hold reservations on, chosen among the peers met, while not publicly dialable; 0 = off.</summary>
    public int AutoRelays { get; init; } = new Nnrp.Libp2p.Relay.AutoRelayOptions().Relays;

    /// <summary>NNRP.md §14.4: relays (multiaddrs with <c>/p2p/&lt;id&gt;</c>) to reserve a slot on, for a node behind NAT.</summary>
    public IReadOnlyList<string> Relay { get; init; } = [];

    /// <summary>The settings and how each is written in each source.</summary>
    public static readonly IReadOnlyList<SettingInfo> All =
    [
        new("data-dir", "Folder for the node key, the store and the DHT state", "./data"),
        new("listen", "Multiaddr to listen on; repeatable", "/ip4/127.0.0.1/tcp/4001", IsList: true),
        new("announce", "Multiaddr to advertise instead of the listen addresses; repeatable", "the listen addresses", IsList: true),
        new("http", "HTTP API URL, or off", "http://127.0.0.1:8080"),
        new("cors", "Origin allowed to call the HTTP API from a browser (* for any); repeatable", "none", IsList: true),
        new("http-announce", "Public URL or multiaddr of the HTTP API to advertise (https://node.example.org behind a proxy); repeatable", "the --http URL when public", IsList: true),
        new("tls-cert", "PEM certificate file for https:// in --http and /tls/ws listeners (with --tls-key)", "none"),
        new("tls-key", "PEM private key file of --tls-cert", "none"),
        new("metrics", "Prometheus /metrics URL, apart from the HTTP API, or off", "http://127.0.0.1:9464"),
        new("trusted-proxy", "Proxy address or network (10.0.0.0/8) whose Forwarded / X-Forwarded-For headers name the HTTP client; repeatable", "none", IsList: true),
        new("http-rate-limit", "HTTP requests a second per client address (bursts of twice as many); over it, 429 rate_limited", "50"),
        new("fetch-budget", "Bytes of fetch answers in flight over /nnrp/1.0 and HTTP (4 MiB per client)", "67108864"),
        new("bootstrap", "Bootstrap peer multiaddr, ideally with /p2p/<id> (without it, whoever answers is trusted); repeatable", "none", IsList: true),
        new("bootstrap-file", "File of bootstrap multiaddrs, one per line, # comments", "bootstrap-peers.txt beside the executable"),
        new("dht-mode", "Auto (server once AutoNAT finds the node publicly dialable, and on a private network), Server (answers DHT queries) or Client", "Auto"),
        new("autonat-server-rpm", "AutoNAT v2 dial requests served a minute, all peers together (12 per peer); 0 serves none (NNRP.md §14.5)", "60"),
        new("private-network", "Keep loopback/LAN addresses in DHT records and spare them the IP colocation penalty and the per-address connection caps (testnets)", "off", IsFlag: true),
        new("base-threshold", "Work threshold as 16 hex digits, e.g. f000000000000000 for cheap local work", "fffffe0000000000"),
        new("log-level", "Trace, Debug, Information, Warning or Error", "Information"),
        new("log-format", "plain or json", "plain"),
        new("max-connections", "Most libp2p connections at once", "256"),
        new("conn-high-water", "Above this many connections the least valuable are closed (NNRP.md §14.1)", "3/4 of --max-connections (192)"),
        new("conn-low-water", "Trimming stops at this many connections", "5/8 of --max-connections (160)"),
        new("per-tag-cap", "Most notifications kept per recipient tag", "1000"),
        new("store-max-bytes", "Most bytes of notifications kept; with --shards auto also the budget the node's shard depth is sized to (NNRP.md §8.2)", "10737418240"),
        new("shards", "Shards held (NNRP.md §8.1): auto (deeper as the network's volume outgrows the store budget), full (everything), or a fixed list such as 2/1,4/0", "auto"),
        new("shard-first-evaluation", "Seconds from start to the first shard depth evaluation (NNRP.md §8.2; testnets shorten it)", "60"),
        new("shard-evaluate-interval", "Seconds between shard evaluations: depth, a move in progress, repair (NNRP.md §8.2, §8.5, §8.6)", "600"),
        new("shard-min-move-interval", "Seconds at least between two depth moves (NNRP.md §8.2)", "3600"),
        new("sync-interval", "Seconds between sync rounds with random peers (NNRP.md §11.8.7)", "30"),
        new("relay-service", "Act as a circuit relay v2 for nodes behind NAT: auto (while AutoNAT finds this node publicly dialable), on (always) or off (NNRP.md §14.4)", "auto"),
        new("auto-relays", $"While this node is not publicly dialable, hold reservations on this many peers that serve as relays, chosen among the peers it meets (0 = only --relay; at most {Nnrp.Libp2p.Relay.RelayClient.MaxRelays}; NNRP.md §14.4)", "2"),
        new("relay", "Relay multiaddr ending in /p2p/<id> to reserve a slot on and be reached through (a node behind NAT); repeatable", "none", IsList: true),
    ];

    /// <summary>
    /// Every setting from the highest source of <paramref name="configuration"/> that has it, over
    /// the embedded defaults, then checked as a whole (<see cref="Validate"/>).
    /// </summary>
    /// <exception cref="FormatException">One line naming the setting, its source and what is expected.</exception>
    public static NodeSettings Bind(NodeConfiguration configuration)
    {
        var result = new NodeSettings();
        foreach (SettingInfo s in All)
        {
            if (configuration.Find(s) is not var (values, source))
            {
                continue;
            }
            try
            {
                result = Apply(result, s.Name, values);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                throw new FormatException($"{source}: '{string.Join(",", values)}' is not valid ({ex.Message})", ex);
            }
        }
        result.Validate();
        return result;
    }

    /// <summary>
    /// What no single value shows: every listen address is one the node has a transport for
    /// (TCP and WebSocket; QUIC and UDP addresses parse but nothing could bind them), and every
    /// announce address is one a peer can dial over TCP or WebSocket.
    /// </summary>
    private void Validate()
    {
        var tcp = new TcpTransport(new TcpTransportOptions(), NullLoggerFactory.Instance);
        var ws = new WebSocketTransport(new WebSocketTransportOptions(), new TcpTransportOptions(), NullLoggerFactory.Instance);
        foreach (string listen in Listen)
        {
            if (Problem(listen, a => tcp.CanListen(a) || ws.CanListen(a)) is { } problem)
            {
                throw new FormatException($"Bad --listen address {listen}: {problem}; a node listens on /ip4|ip6/<address>/tcp/<port> (TCP), optionally followed by /ws or /tls/ws (WebSocket)");
            }
            // A TLS WebSocket listener serves the node's certificate (--tls-cert/--tls-key); without
            // one it is a settings error here, not a failed start.
            if (TlsCert is null && Multiaddr.Parse(listen).Components.Any(static c => c.Protocol is MultiaddrProtocol.Tls or MultiaddrProtocol.Wss))
            {
                throw new FormatException($"Bad --listen address {listen}: a TLS WebSocket listener needs a certificate (--tls-cert and --tls-key), or listen on /ws behind a TLS-terminating proxy");
            }
        }
        foreach (string announce in Announce)
        {
            if (Problem(announce, a => tcp.CanDial(a) || ws.CanDial(a)) is { } problem)
            {
                throw new FormatException($"Bad --announce address {announce}: {problem}; peers dial /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>, optionally followed by /ws or /tls/ws, optionally ending in /p2p/<peer id>");
            }
        }
    }

    private static string? Problem(string text, Func<Multiaddr, bool> supported)
    {
        try
        {
            return supported(Multiaddr.Parse(text)) ? null : "no transport of this node takes it";
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>A timer setting: seconds, more than 0 and at most a day.</summary>
    private static TimeSpan PositiveSeconds(string text) =>
        double.Parse(text, CultureInfo.InvariantCulture) is > 0 and <= MaxTimerSeconds and var seconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new FormatException($"seconds above 0 and at most {MaxTimerSeconds} expected");

    /// <summary>A relay to reserve on must name its peer id: the reservation and our circuit addresses carry it.</summary>
    private static string CheckRelay(string text) =>
        Multiaddr.Parse(text) is { PeerIdMultihash: not null } address && !Nnrp.Libp2p.Relay.CircuitAddress.IsCircuit(address)
            ? text
            : throw new FormatException("a relay address ends in /p2p/<peer id> and is not itself relayed");

    private static NodeSettings Apply(NodeSettings s, string name, string[] v) => name switch
    {
        "data-dir" => s with { DataDir = Path.GetFullPath(v[0]) },
        "listen" => s with { Listen = v },
        "announce" => s with { Announce = v },
        "http" => s with { Http = v[0] },
        "cors" => s with { Cors = v },
        "http-announce" => s with { HttpAnnounce = v.Select(a => Nnrp.Protocol.Doors.HttpDoorAddress.Parse(a).ToString()).ToArray() },
        "tls-cert" => s with { TlsCert = v[0] },
        "tls-key" => s with { TlsKey = v[0] },
        "metrics" => s with { Metrics = v[0] },
        "trusted-proxy" => s with { TrustedProxy = v.Select(p => Nnrp.Http.HttpApiOptions.CheckProxy(p)).ToArray() },
        "http-rate-limit" => s with { HttpRateLimit = int.Parse(v[0], CultureInfo.InvariantCulture) is > 0 and var r ? r : throw new FormatException("a positive number expected") },
        "fetch-budget" => s with { FetchBudget = long.Parse(v[0], CultureInfo.InvariantCulture) is >= 4 * 1024 * 1024 and var b ? b : throw new FormatException("at least 4194304 (one client's budget) expected") },
        "bootstrap" => s with { Bootstrap = v },
        "bootstrap-file" => s with { BootstrapFile = v[0] },
        "dht-mode" => s with { DhtMode = Enum.Parse<DhtModeSetting>(v[0], ignoreCase: true) },
        "autonat-server-rpm" => s with { AutoNatServerRpm = int.Parse(v[0], CultureInfo.InvariantCulture) is >= 0 and var n ? n : throw new FormatException("0 or a positive number expected") },
        "private-network" => s with { PrivateNetwork = v[0] switch { "1" => true, "0" => false, _ => bool.Parse(v[0]) } },
        "base-threshold" => s with { BaseThreshold = v[0].Length == 16 ? ulong.Parse(v[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : throw new FormatException("16 hex digits expected") },
        "log-level" => s with { LogLevel = Enum.Parse<LogLevel>(v[0], ignoreCase: true) },
        "log-format" => s with { LogFormat = v[0] is "plain" or "json" ? v[0] : throw new FormatException("plain or json expected") },
        "max-connections" => s with { MaxConnections = int.Parse(v[0], CultureInfo.InvariantCulture) },
        "conn-high-water" => s with { ConnHighWater = int.Parse(v[0], CultureInfo.InvariantCulture) },
        "conn-low-water" => s with { ConnLowWater = int.Parse(v[0], CultureInfo.InvariantCulture) },
        "per-tag-cap" => s with { PerTagCap = int.Parse(v[0], CultureInfo.InvariantCulture) },
        "store-max-bytes" => s with { StoreMaxBytes = long.Parse(v[0], CultureInfo.InvariantCulture) },
        "shards" => s with { Shards = Nnrp.Node.Shards.ShardSetting.Parse(v[0]) },
        "shard-first-evaluation" => s with { ShardFirstEvaluation = PositiveSeconds(v[0]) },
        "shard-evaluate-interval" => s with { ShardEvaluateInterval = PositiveSeconds(v[0]) },
        "shard-min-move-interval" => s with { ShardMinMoveInterval = PositiveSeconds(v[0]) },
        "sync-interval" => s with { SyncInterval = TimeSpan.FromSeconds(double.Parse(v[0], CultureInfo.InvariantCulture)) },
        "relay-service" => s with
        {
            RelayService = v[0].ToLowerInvariant() switch
            {
                "auto" => RelayServiceMode.Auto,
                "on" or "1" or "true" => RelayServiceMode.On,
                "off" or "0" or "false" => RelayServiceMode.Off,
                _ => throw new FormatException("auto, on or off expected"),
            },
        },
        "auto-relays" => s with { AutoRelays = int.Parse(v[0], CultureInfo.InvariantCulture) is >= 0 and <= Nnrp.Libp2p.Relay.RelayClient.MaxRelays and var n ? n : throw new FormatException($"0…{Nnrp.Libp2p.Relay.RelayClient.MaxRelays} expected") },
        "relay" => s with { Relay = v.Select(CheckRelay).ToArray() },
        _ => throw new ArgumentException("unknown setting " + name),
    };
}

/// <param name="Name">The command-line form, without <c>--</c>.</param>
internal sealed record SettingInfo(string Name, string Description, string Default, bool IsList = false, bool IsFlag = false)
{
    public string EnvironmentName => "NNRP_" + Name.Replace('-', '_').ToUpperInvariant();

    public string ConfigName => Name.Replace('-', '_');
}

/// <summary>NNRP.md §14.4: when the node serves circuit relay v2 hop.</summary>
public enum RelayServiceMode
{
    /// <summary>While AutoNAT finds the node publicly dialable (the default).</summary>
    Auto,

    /// <summary>Always (an operator who knows the node is public).</summary>
    On,

    /// <summary>Never.</summary>
    Off,
}
