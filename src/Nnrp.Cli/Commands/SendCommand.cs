using System.CommandLine;
using Microsoft.Extensions.Logging;
using Nnrp.Client;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;
using Nnrp.Core.Work;
using Nnrp.Protocol.Receipts;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp send</c>: seal a payment event to a NanoNym or <c>nnrp:</c> recipient, compute
/// work (progress bar on a terminal) and publish to several nodes. Prints the hash, then one
/// <c>stored</c> line per node with a verified receipt and one <c>failed</c> line per node
/// that did not store it. Exit 1 when fewer nodes than <c>--replicas</c> stored it.
/// </summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to") { Description = "Recipient: nnym_… address or nnrp: URI", Required = true };
        var r = new Option<string>("--r") { Description = "Ephemeral public key R, 64 hex", Required = true };
        var tx = new Option<string>("--tx") { Description = "Send block hash, 64 hex", Required = true };
        var amount = new Option<string?>("--amount") { Description = "Amount in raw (decimal)" };
        var memo = new Option<string?>("--memo") { Description = "Memo text" };
        var ttl = new Option<uint>("--ttl") { Description = "Lifetime in seconds (60 … 7776000)", DefaultValueFactory = _ => NotificationLimits.DefaultTtl };
        var replicas = new Option<int>("--replicas") { Description = "Distinct nodes that must store it", DefaultValueFactory = _ => 3 };
        var threshold = new Option<string?>("--threshold") { Description = "Threshold of the first work, 16 hex (default: the base)" };
        var multiplier = new Option<double?>("--multiplier") { Description = "Threshold of the first work as a multiple of the base" };
        var server = new Option<Uri?>("--work-server") { Description = "Nano work server / node RPC URL for work_generate (default: this machine)" };
        var threads = new Option<int>("--threads") { Description = "Threads for local work (0 = every core)" };
        var json = new Option<bool>("--json") { Description = "One JSON object: hash, relay_address, work, timestamp, target, met_target, holders_found, stored, failed (no progress bar)" };
        var network = new NetworkOptions();
        var command = new Command("send", "Send a sealed payment notification to several nodes") { to, r, tx, amount, memo, ttl, replicas, threshold, multiplier, server, threads, json };
        network.AddTo(command);
        command.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            Recipient recipient = CliExit.Parse("--to", () => Recipient.Parse(parse.GetValue(to)!));
            string rHex = parse.GetValue(r)!.ToLowerInvariant(), txHex = parse.GetValue(tx)!.ToLowerInvariant();
            PaymentEvent paymentEvent = CliExit.Parse("--r/--tx/--amount", () => new PaymentEvent(rHex, txHex, parse.GetValue(amount), parse.GetValue(memo)));
            int wanted = parse.GetValue(replicas);
            if (wanted < 1)
            {
                return CliExit.UsageError("--replicas: at least 1");
            }
            var options = new SendOptions
            {
                Replicas = wanted,
                Ttl = parse.GetValue(ttl),
                InitialThreshold = WorkCommand.ThresholdOf(parse.GetValue(threshold), parse.GetValue(multiplier)),
            };
            // Refuse a bad ttl now, not after minutes of work.
            CliExit.Parse("--ttl", () => PaymentNotifications.Seal(recipient, paymentEvent, DateTimeOffset.UtcNow, options.Ttl));
            IReadOnlyList<string> nodes = network.NamedNodes(parse);
            var source = WorkSources.Create(parse.GetValue(server), parse.GetValue(threads), out HttpClient? http);
            using (http)
            using (ILoggerFactory loggers = network.Loggers(parse))
            {
                WalletClientOptions clientOptions = await network.ClientOptionsAsync(parse, nodes, source, ct);
                await using WalletClient client = await WalletClient.ConnectAsync(clientOptions, loggers, ct);
                SendResult result;
                if (parse.GetValue(json))
                {
                    // The progress bar would share the terminal with the document.
                    result = await client.SendAsync(recipient, paymentEvent, options, null, ct);
                    PrintJson(result);
                }
                else
                {
                    result = await WorkProgressDisplay.RunAsync(options.InitialThreshold, p => client.SendAsync(recipient, paymentEvent, options, p, ct));
                    Print(result);
                }
                if (!result.MetTarget)
                {
                    // NNRP.md §8.4: a partial publish is said, with how many holders there were to ask.
                    string found = result.HoldersFound < result.Target ? $"; only {result.HoldersFound} holders of the tag's shard found" : "";
                    return CliExit.Failure($"stored on {result.Receipts.Count} of the {result.Target} nodes asked for{found}");
                }
                return CliExit.Ok;
            }
        }));
        return command;
    }

    private static void Print(SendResult result)
    {
        new Fields()
            .Add("hash", result.Hash.ToString())
            .Add("relay_address", result.Hash.ToRelayAddress())
            .Add("work", ProofOfWork.FormatWork(result.Notification.Work))
            .Add("timestamp", result.Notification.Timestamp)
            .Write();
        foreach (VerifiedReceipt receipt in result.Receipts)
        {
            Console.WriteLine($"stored {receipt.Node} until {Fields.Utc(receipt.ExpiresAt)}");
        }
        foreach (NodeFailure failure in result.Failures)
        {
            Console.WriteLine($"failed {failure.Node} {failure.Reason}");
        }
    }

    private static void PrintJson(SendResult result) => JsonOutput.Write(writer =>
    {
        writer.WriteString("hash", result.Hash.ToString());
        writer.WriteString("relay_address", result.Hash.ToRelayAddress());
        writer.WriteString("work", ProofOfWork.FormatWork(result.Notification.Work));
        writer.WriteNumber("timestamp", result.Notification.Timestamp);
        writer.WriteNumber("target", result.Target);
        writer.WriteBoolean("met_target", result.MetTarget);
        writer.WriteNumber("holders_found", result.HoldersFound);
        JsonOutput.WriteObjects(writer, "stored", result.Receipts, static (w, receipt) =>
        {
            w.WriteString("node", receipt.Node.ToString());
            w.WriteNumber("expires_at", receipt.ExpiresAt);
        });
        JsonOutput.WriteObjects(writer, "failed", result.Failures, static (w, failure) =>
        {
            w.WriteString("node", failure.Node.ToString());
            w.WriteString("reason", failure.Reason);
        });
    });
}
