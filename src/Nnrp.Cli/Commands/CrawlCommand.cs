using System.CommandLine;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad.Crawl;
using Nnrp.Node.Crawl;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp crawl</c>: walks the DHT from the bootstrap peers and reports every node reached
/// (issue 15 item 3); the walk and the map are <see cref="NetworkCrawler"/> in Nnrp.Node.
/// Exit 0 when the crawl ran (also when <c>--timeout</c> or <c>--max-peers</c> cut it short:
/// the output says so), 1 when no bootstrap peer could be reached, 2 for bad settings.
/// </summary>
internal static class CrawlCommand
{
    public static Command Create()
    {
        var bootstrap = new BootstrapOptions();
        var timeout = new Option<int>("--timeout") { Description = "Seconds the whole walk may take; peers not visited by then are counted, not shown", DefaultValueFactory = _ => 120 };
        var peerTimeout = new Option<int>("--peer-timeout") { Description = "Seconds for everything asked of one peer (dial, identify, FIND_NODE, status)", DefaultValueFactory = _ => 10 };
        var concurrency = new Option<int>("--concurrency") { Description = $"Peers visited at once (1..{KadCrawlOptions.ConcurrencyLimit})", DefaultValueFactory = _ => 8 };
        var maxPeers = new Option<int>("--max-peers") { Description = $"Distinct peers recorded at most (1..{KadCrawlOptions.MaxPeersLimit}); further ones are dropped", DefaultValueFactory = _ => 5_000 };
        var privateAddresses = new Option<bool>("--private-addresses") { Description = "Dial loopback and private addresses the DHT names (on by itself when every bootstrap peer is on one: a testnet)" };
        var json = new Option<bool>("--json") { Description = "One JSON object: the crawl, nodes and shards" };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Log to stderr at this level", DefaultValueFactory = _ => LogLevel.Error };
        var command = new Command("crawl", "Walk the DHT from the bootstrap peers and report every node reached and each shard's providers")
        {
            timeout, peerTimeout, concurrency, maxPeers, privateAddresses, json, logLevel,
        };
        bootstrap.AddTo(command);
        command.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            // --bootstrap (or NNRP_BOOTSTRAP) overrides the file; without it the file is read.
            List<Multiaddr> peers = await bootstrap.LoadAsync(parse, readFile: false, ct);
            if (peers.Count == 0)
            {
                peers = await bootstrap.LoadAsync(parse, readFile: true, ct);
            }
            if (peers.Count == 0)
            {
                return CliExit.UsageError("no bootstrap peers: give --bootstrap <multiaddr with /p2p/> or a --bootstrap-file with entries");
            }
            KadCrawlOptions kad = new()
            {
                Deadline = TimeSpan.FromSeconds(InRange(parse.GetValue(timeout), "--timeout", 1, 86_400)),
                PeerTimeout = TimeSpan.FromSeconds(InRange(parse.GetValue(peerTimeout), "--peer-timeout", 1, 600)),
                Concurrency = InRange(parse.GetValue(concurrency), "--concurrency", 1, KadCrawlOptions.ConcurrencyLimit),
                MaxPeers = InRange(parse.GetValue(maxPeers), "--max-peers", 1, KadCrawlOptions.MaxPeersLimit),
                AllowPrivateAddresses = parse.GetValue(privateAddresses) || peers.TrueForAll(static p => !p.IsPubliclyRoutable),
            };
            kad = kad with { DialTimeout = kad.PeerTimeout < kad.DialTimeout ? kad.PeerTimeout : kad.DialTimeout };
            using ILoggerFactory loggers = NetworkOptions.Loggers(parse.GetValue(logLevel));
            NetworkMap map = await NetworkCrawler.CrawlAsync(new NetworkCrawlOptions { BootstrapPeers = peers, Kad = kad }, loggers, ct);
            if (parse.GetValue(json))
            {
                CrawlOutput.WriteJson(map);
            }
            else
            {
                CrawlOutput.WriteTable(map);
            }
            return map.NoBootstrapReached
                ? CliExit.Failure($"no bootstrap peer reachable ({peers.Count} tried)")
                : CliExit.Ok;
        }));
        return command;
    }

    private static int InRange(int value, string option, int min, int max) =>
        value >= min && value <= max ? value : throw new UsageException($"{option}: {min}..{max}, not {value}");
}
