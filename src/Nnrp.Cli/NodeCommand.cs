using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;

namespace Nnrp.Cli;

/// <summary>
/// <c>nnrp node</c>: runs a node on embedded defaults. Every option also reads an
/// <c>NNRP_*</c> environment variable so a container needs no command line.
/// </summary>
internal static class NodeCommand
{
    /// <summary>
    /// The default TCP port (the libp2p convention go-ipfs and others share). Fixed rather
    /// than random so operators can open it in a firewall and peers keep a node's address
    /// across restarts.
    /// </summary>
    public const int DefaultPort = 4001;

    /// <summary>
    /// Loopback by default, so a first `make run` exposes nothing; an operator joining the
    /// network says so with --listen /ip4/0.0.0.0/tcp/4001 (and /ip6/::/tcp/4001).
    /// </summary>
    public static readonly string[] DefaultListen = [$"/ip4/127.0.0.1/tcp/{DefaultPort}"];

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Folder for the node key and the database (env NNRP_DATA_DIR)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_DATA_DIR") ?? DefaultDataDir(),
        };
        var listen = new Option<string[]>("--listen")
        {
            Description = "Multiaddr to listen on; repeatable (env NNRP_LISTEN, comma separated)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_LISTEN")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? DefaultListen,
            AllowMultipleArgumentsPerToken = true,
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Trace, Debug, Information, Warning, Error (env NNRP_LOG_LEVEL)",
            DefaultValueFactory = _ => Enum.TryParse(Environment.GetEnvironmentVariable("NNRP_LOG_LEVEL"), true, out LogLevel l) ? l : LogLevel.Information,
        };
        var bootstrap = new Option<string[]>("--bootstrap")
        {
            Description = "Extra bootstrap peer multiaddr with /p2p/; repeatable (env NNRP_BOOTSTRAP, comma separated)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_BOOTSTRAP")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            AllowMultipleArgumentsPerToken = true,
        };
        var bootstrapFile = new Option<string>("--bootstrap-file")
        {
            Description = "File of bootstrap multiaddrs, one per line, # comments (env NNRP_BOOTSTRAP_FILE)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_BOOTSTRAP_FILE") ?? Path.Combine(AppContext.BaseDirectory, "bootstrap-peers.txt"),
        };
        var dhtMode = new Option<KadMode>("--dht-mode")
        {
            Description = "Server (answers DHT queries; needs a dialable address) or Client (env NNRP_DHT_MODE)",
            DefaultValueFactory = _ => Enum.TryParse(Environment.GetEnvironmentVariable("NNRP_DHT_MODE"), true, out KadMode m) ? m : KadMode.Server,
        };
        var privateNetwork = new Option<bool>("--private-network")
        {
            Description = "Keep loopback and private addresses in DHT records, for a LAN or loopback testnet (env NNRP_PRIVATE_NETWORK=1)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_PRIVATE_NETWORK") is "1" or "true",
        };
        var command = new Command("node", "Run an NNRP node") { dataDir, listen, logLevel, bootstrap, bootstrapFile, dhtMode, privateNetwork };
        command.SetAction((parse, ct) => RunAsync(
            new NodeSettings(
                parse.GetValue(dataDir)!,
                parse.GetValue(listen)!,
                parse.GetValue(logLevel),
                parse.GetValue(bootstrap)!,
                parse.GetValue(bootstrapFile)!,
                parse.GetValue(dhtMode),
                parse.GetValue(privateNetwork)),
            ct));
        return command;
    }

    /// <summary>`./data` beside where the node starts: visible, easy to wipe, a volume in a container.</summary>
    private static string DefaultDataDir() => Path.GetFullPath("data");

    private sealed record NodeSettings(
        string DataDir,
        string[] Listen,
        LogLevel LogLevel,
        string[] Bootstrap,
        string BootstrapFile,
        KadMode DhtMode,
        bool PrivateNetwork);

    private static async Task<int> RunAsync(NodeSettings settings, CancellationToken commandToken)
    {
        // SIGINT (Ctrl+C) and SIGTERM (docker stop, systemd) both start a graceful shutdown.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        CancellationToken cancellationToken = stop.Token;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        string dataDir = settings.DataDir;
        LogLevel level = settings.LogLevel;
        using ILoggerFactory loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.IncludeScopes = true;
            }));
        ILogger log = loggers.CreateLogger("nnrp");

        Multiaddr[] addresses;
        try
        {
            addresses = settings.Listen.Select(Multiaddr.Parse).ToArray();
        }
        catch (FormatException ex)
        {
            log.BadListenAddress(ex.Message);
            return 2;
        }

        List<Multiaddr> bootstrapPeers;
        try
        {
            bootstrapPeers = settings.Bootstrap.Select(BootstrapPeers.ParseEntry).ToList();
            if (File.Exists(settings.BootstrapFile))
            {
                bootstrapPeers.AddRange(await BootstrapPeers.LoadAsync(settings.BootstrapFile, cancellationToken));
            }
        }
        catch (FormatException ex)
        {
            log.BadBootstrapPeer(ex.Message);
            return 2;
        }

        Directory.CreateDirectory(dataDir);
        using KeyPair identity = KeyPair.LoadOrCreate(Path.Combine(dataDir, "node.key"));
        var options = new HostOptions { ListenAddresses = addresses };
        await using var host = new Libp2pHost(identity, options, loggers);
        var identify = new IdentifyService(host, loggers);
        identify.Start();
        new PingService(host).Start();
        new PerfService(host).Start();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            log.CannotListen(ex.Message);
            return 1;
        }

        log.NodeStarted(host.PeerId.ToString(), options.AgentVersion, dataDir);
        foreach (Multiaddr address in host.GetAdvertisedAddresses(withPeerId: true))
        {
            log.Reachable(address.ToString());
        }

        using IProviderStore providers = RocksDbProviderStore.Open(Path.Combine(dataDir, "kad"));
        var kadOptions = new KadOptions
        {
            Mode = settings.DhtMode,
            BootstrapPeers = bootstrapPeers.Where(b => !b.PeerIdMultihash!.Value.Span.SequenceEqual(host.PeerId.Bytes.Span)).ToArray(),
            RoutingTablePath = Path.Combine(dataDir, "kad-peers.txt"),
            AllowPrivateAddresses = settings.PrivateNetwork,
        };
        await using var kad = new KadService(host, providers, kadOptions, identify, loggerFactory: loggers);
        try
        {
            await kad.StartAsync(cancellationToken);
            log.DhtReady(kad.RoutingTable.Count, kadOptions.BootstrapPeers.Count);
            // DESIGN.md "Shards": a node that stores everything provides shard (0, 0).
            int provided = await kad.ProvideAsync(ShardKeys.WireKey(0, 0), cancellationToken);
            log.ProvidingShard(ShardKeys.CidString(0, 0), provided);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A signal during start-up is as good a reason to stop as one later on.
        }
        log.ShuttingDown();
        await kad.SaveRoutingTableAsync(CancellationToken.None);
        return 0;
    }
}
