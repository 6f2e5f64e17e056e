using System.CommandLine;
using Microsoft.Extensions.Logging;
using Nnrp.Client;
using Nnrp.Client.Network;
using Nnrp.Client.Work;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Cli.Commands;

/// <summary>
/// The options send, fetch and status share: which nodes (<c>--node</c>, or discovery from
/// bootstrap peers and the DHT), timeouts and logging. A node is a libp2p multiaddr with
/// <c>/p2p/</c> or the http(s) URL of its HTTP API.
/// </summary>
internal sealed class NetworkOptions
{
    private readonly Option<string[]> _nodes = new("--node")
    {
        Description = "Node: multiaddr with /p2p/<peer id>, or http(s):// URL of its HTTP API; repeatable. Skips discovery.",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly BootstrapOptions _bootstrap = new();

    private readonly Option<bool> _noDht = new("--no-dht") { Description = "Do not look up shard providers in the DHT" };

    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds to wait for one node's answer", DefaultValueFactory = _ => 30 };

    private readonly Option<LogLevel> _logLevel = new("--log-level") { Description = "Log to stderr at this level", DefaultValueFactory = _ => LogLevel.Error };

    public void AddTo(Command command)
    {
        command.Options.Add(_nodes);
        _bootstrap.AddTo(command);
        command.Options.Add(_noDht);
        command.Options.Add(_timeout);
        command.Options.Add(_logLevel);
    }

    /// <summary>The nodes named with --node (and any extra given as arguments), checked.</summary>
    public IReadOnlyList<string> NamedNodes(ParseResult parse, IEnumerable<string>? extra = null)
    {
        string[] named = [.. parse.GetValue(_nodes) ?? [], .. extra ?? []];
        foreach (string node in named)
        {
            CheckNode(node);
        }
        return named;
    }

    public async Task<WalletClientOptions> ClientOptionsAsync(ParseResult parse, IReadOnlyList<string> nodes, IWorkSource? work, CancellationToken cancellationToken)
    {
        List<string> bootstrap = [.. (await _bootstrap.LoadAsync(parse, readFile: nodes.Count == 0, cancellationToken)).Select(static a => a.ToString())];
        int timeout = parse.GetValue(_timeout);
        if (timeout <= 0)
        {
            throw new UsageException("--timeout: a positive number of seconds");
        }
        return new WalletClientOptions
        {
            Nodes = nodes,
            BootstrapPeers = bootstrap,
            UseDht = !parse.GetValue(_noDht),
            RequestTimeout = TimeSpan.FromSeconds(timeout),
            WorkSource = work,
        };
    }

    /// <summary>Loggers writing to stderr (stdout is for results).</summary>
    public ILoggerFactory Loggers(ParseResult parse) => Loggers(parse.GetValue(_logLevel));

    /// <summary>Loggers at <paramref name="level"/> writing to stderr (stdout is for results).</summary>
    public static ILoggerFactory Loggers(LogLevel level) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    private static void CheckNode(string node)
    {
        CliExit.Parse("--node", () => NodeAddress.Parse(node));
    }
}
