using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Nnrp.Client;
using Nnrp.Client.Network;
using Nnrp.Core.Protocol;
using Nnrp.Core.Work;

namespace Nnrp.Cli.Commands;

/// <summary><c>nnrp status</c>: each node's agent, thresholds, store size and clock (NNRP.md §11.7).</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var targets = new Argument<string[]>("node") { Description = "Node multiaddr(s) with /p2p/, or http(s) URL(s)", Arity = ArgumentArity.ZeroOrMore };
        var network = new NetworkOptions();
        var command = new Command("status", "Show the status of one or more nodes") { targets };
        network.AddTo(command);
        command.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            IReadOnlyList<string> nodes = network.NamedNodes(parse, parse.GetValue(targets));
            if (nodes.Count == 0)
            {
                return CliExit.UsageError("name a node: nnrp status <multiaddr with /p2p/ | http(s) url>");
            }
            using ILoggerFactory loggers = network.Loggers(parse);
            WalletClientOptions options = await network.ClientOptionsAsync(parse, nodes, work: null, ct);
            await using WalletClient client = await WalletClient.ConnectAsync(options, loggers, ct);
            int failed = 0;
            foreach (string text in nodes)
            {
                NodeAddress node = NodeAddress.Parse(text);
                try
                {
                    Print(node, await client.StatusAsync(node, ct));
                }
                catch (Exception e) when (e is IOException or TimeoutException)
                {
                    failed++;
                    Console.Error.WriteLine($"error: {node}: {e.Message}");
                }
            }
            return failed == 0 ? CliExit.Ok : CliExit.Failed;
        }));
        return command;
    }

    private static void Print(NodeAddress node, StatusResponse status)
    {
        long skew = (long)status.Now - DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        new Fields()
            .Add("node", node.ToString())
            .Add("agent", status.Agent)
            .Add("protocol_version", status.ProtocolVersion)
            .Add("base_threshold", ProofOfWork.FormatWork(status.BaseThreshold))
            .Add("current_threshold", ProofOfWork.FormatWork(status.CurrentThreshold))
            .Add("current_multiplier", Thresholds.ToMultiplier(status.CurrentThreshold, status.BaseThreshold).ToString("0.##", CultureInfo.InvariantCulture))
            .Add("stored", status.Stored)
            .Add("now", Fields.Utc(status.Now))
            .Add("clock_skew_s", skew.ToString(CultureInfo.InvariantCulture))
            .Add("max_payload", status.MaxPayload)
            .Add("ttl_range_s", string.Create(CultureInfo.InvariantCulture, $"{status.MinTtl}..{status.MaxTtl}"))
            .Add("max_page", status.MaxPage)
            .Add("shards", string.Join(" ", status.Shards.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Bits}/{s.Index}"))))
            .Write();
        Console.WriteLine();
    }
}
