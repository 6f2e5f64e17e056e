using System.CommandLine;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
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
    /// The default TCP port. Fixed rather than random so operators can open it in a
    /// firewall and peers can keep a node's address across restarts (Nano uses 7075).
    /// </summary>
    public const int DefaultPort = 7090;

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
                ?? [$"/ip4/0.0.0.0/tcp/{DefaultPort}", $"/ip6/::/tcp/{DefaultPort}"],
            AllowMultipleArgumentsPerToken = true,
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Trace, Debug, Information, Warning, Error (env NNRP_LOG_LEVEL)",
            DefaultValueFactory = _ => Enum.TryParse(Environment.GetEnvironmentVariable("NNRP_LOG_LEVEL"), true, out LogLevel l) ? l : LogLevel.Information,
        };
        var command = new Command("node", "Run an NNRP node") { dataDir, listen, logLevel };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(dataDir)!, parse.GetValue(listen)!, parse.GetValue(logLevel), ct));
        return command;
    }

    private static string DefaultDataDir()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "nnrp");
    }

    private static async Task<int> RunAsync(string dataDir, string[] listen, LogLevel level, CancellationToken cancellationToken)
    {
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
            addresses = listen.Select(Multiaddr.Parse).ToArray();
        }
        catch (FormatException ex)
        {
            log.BadListenAddress(ex.Message);
            return 2;
        }

        using KeyPair identity = KeyPair.LoadOrCreate(Path.Combine(dataDir, "node.key"));
        var options = new HostOptions { ListenAddresses = addresses };
        await using var host = new Libp2pHost(identity, options, loggers);
        new IdentifyService(host, loggers).Start();
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
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            log.ShuttingDown();
        }
        return 0;
    }
}
