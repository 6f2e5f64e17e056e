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
        var json = new Option<bool>("--json") { Description = "One JSON object: nodes (one object per node that answered) and failed" };
        var network = new NetworkOptions();
        var command = new Command("status", "Show the status of one or more nodes") { targets, json };
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
            bool asJson = parse.GetValue(json);
            var answered = new List<(NodeAddress Node, StatusResponse Status, long Now)>();
            var failed = new List<(NodeAddress Node, string Error)>();
            foreach (string text in nodes)
            {
                NodeAddress node = NodeAddress.Parse(text);
                try
                {
                    StatusResponse status = await client.StatusAsync(node, ct);
                    long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                    if (asJson)
                    {
                        answered.Add((node, status, now));
                    }
                    else
                    {
                        Print(node, status, now);
                    }
                }
                catch (Exception e) when (e is IOException or TimeoutException)
                {
                    failed.Add((node, e.Message));
                    Console.Error.WriteLine($"error: {node}: {e.Message}");
                }
            }
            if (asJson)
            {
                PrintJson(answered, failed);
            }
            return failed.Count == 0 ? CliExit.Ok : CliExit.Failed;
        }));
        return command;
    }

    private static void Print(NodeAddress node, StatusResponse status, long now)
    {
        new Fields()
            .Add("node", node.ToString())
            .Add("agent", status.Agent)
            .Add("protocol_version", status.ProtocolVersion)
            .Add("base_threshold", ProofOfWork.FormatWork(status.BaseThreshold))
            .Add("current_threshold", ProofOfWork.FormatWork(status.CurrentThreshold))
            .Add("current_multiplier", Multiplier(status).ToString("0.##", CultureInfo.InvariantCulture))
            .Add("stored", status.Stored)
            .Add("now", Fields.Utc(status.Now))
            .Add("clock_skew_s", ((long)status.Now - now).ToString(CultureInfo.InvariantCulture))
            .Add("max_payload", status.MaxPayload)
            .Add("ttl_range_s", string.Create(CultureInfo.InvariantCulture, $"{status.MinTtl}..{status.MaxTtl}"))
            .Add("max_page", status.MaxPage)
            .Add("shards", string.Join(" ", status.Shards.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Bits}/{s.Index}"))))
            .Write();
        Console.WriteLine();
    }

    /// <summary>
    /// The text fields as JSON values: thresholds stay 16-hex strings (as on the wire and in
    /// <c>--threshold</c>), times are unix seconds, the TTL range is two numbers.
    /// </summary>
    private static void PrintJson(List<(NodeAddress Node, StatusResponse Status, long Now)> answered, List<(NodeAddress Node, string Error)> failed) =>
        JsonOutput.Write(writer =>
        {
            JsonOutput.WriteObjects(writer, "nodes", answered, static (w, item) =>
            {
                (NodeAddress node, StatusResponse status, long now) = item;
                w.WriteString("node", node.ToString());
                w.WriteString("agent", status.Agent);
                w.WriteNumber("protocol_version", status.ProtocolVersion);
                w.WriteString("base_threshold", ProofOfWork.FormatWork(status.BaseThreshold));
                w.WriteString("current_threshold", ProofOfWork.FormatWork(status.CurrentThreshold));
                w.WriteNumber("current_multiplier", Math.Round(Multiplier(status), 2));
                w.WriteNumber("stored", status.Stored);
                w.WriteNumber("now", status.Now);
                w.WriteNumber("clock_skew_s", (long)status.Now - now);
                w.WriteNumber("max_payload", status.MaxPayload);
                w.WriteNumber("min_ttl_s", status.MinTtl);
                w.WriteNumber("max_ttl_s", status.MaxTtl);
                w.WriteNumber("max_page", status.MaxPage);
                JsonOutput.WriteObjects(w, "shards", status.Shards, static (ws, shard) =>
                {
                    ws.WriteNumber("bits", shard.Bits);
                    ws.WriteNumber("index", shard.Index);
                });
            });
            JsonOutput.WriteObjects(writer, "failed", failed, static (w, item) =>
            {
                w.WriteString("node", item.Node.ToString());
                w.WriteString("error", item.Error);
            });
        });

    private static double Multiplier(StatusResponse status) =>
        Thresholds.ToMultiplier(status.CurrentThreshold, status.BaseThreshold);
}
