using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nnrp.Client;
using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Core.Notifications;
using Spectre.Console;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp fetch</c>: read a key's mailbox from several nodes (by 8-bit tag prefix unless
/// <c>--prefix-bits 256</c>), print the opened payment events as a table or, with
/// <c>--json</c>, one JSON object per line. Undecryptable or invalid items are reported
/// apart (stderr, or <c>"rejected"</c> objects in JSON). A checkpoint beside the key file
/// makes the next fetch ask only for what is new.
/// </summary>
internal static class FetchCommand
{
    public static Command Create()
    {
        var key = new Option<string>("--key") { Description = "Key file (from keygen or key from-seed)", Required = true };
        var since = new Option<string?>("--since") { Description = "Oldest timestamp: unix seconds or ISO 8601 (ignores the checkpoint)" };
        var prefixBits = new Option<int>("--prefix-bits") { Description = "Tag prefix bits sent to nodes (privacy; 256 = the exact tag)", DefaultValueFactory = _ => FetchOptions.DefaultPrefixBits };
        var nodesWanted = new Option<int>("--nodes") { Description = "Distinct nodes to read and merge (at least 2 recommended)", DefaultValueFactory = _ => 3 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: <key file>.checkpoint.json)" };
        var noCheckpoint = new Option<bool>("--no-checkpoint") { Description = "Neither read nor write a checkpoint" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line: hash, timestamp, event" };
        var baseThreshold = new Option<string?>("--base-threshold")
        {
            Description = "Work floor, 16 hex: items with less work are rejected. Lower it only for a private testnet whose nodes run with the same --base-threshold (env NNRP_BASE_THRESHOLD; default fffffe0000000000)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_BASE_THRESHOLD"),
        };
        var network = new NetworkOptions();
        var command = new Command("fetch", "Fetch, verify and open a mailbox from several nodes") { key, since, prefixBits, nodesWanted, checkpoint, noCheckpoint, json, baseThreshold };
        network.AddTo(command);
        command.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            int bits = parse.GetValue(prefixBits);
            if (bits is < 0 or > FetchQuery.ExactBits)
            {
                return CliExit.UsageError($"--prefix-bits: 0..{FetchQuery.ExactBits}");
            }
            int wanted = parse.GetValue(nodesWanted);
            if (wanted < 1)
            {
                return CliExit.UsageError("--nodes: at least 1");
            }
            ulong floor = WorkCommand.ThresholdOf(parse.GetValue(baseThreshold), null);
            ulong? sinceValue = parse.GetValue(since) is { } text ? CliExit.Parse("--since", () => ParseSince(text)) : null;
            IReadOnlyList<string> nodes = network.NamedNodes(parse);
            string keyPath = parse.GetValue(key)!;
            NotificationKeyFile keyFile = await NotificationKeyFile.LoadAsync(keyPath, ct);
            bool useCheckpoint = !parse.GetValue(noCheckpoint) && sinceValue is null;
            string checkpointPath = parse.GetValue(checkpoint) ?? keyPath + ".checkpoint.json";
            FetchCheckpoint start = useCheckpoint
                ? await FetchCheckpoint.LoadAsync(checkpointPath, keyFile.Key.Tag, ct)
                : FetchCheckpoint.Start(keyFile.Key.Tag);

            using ILoggerFactory loggers = network.Loggers(parse);
            WalletClientOptions clientOptions = await network.ClientOptionsAsync(parse, nodes, work: null, ct);
            await using WalletClient client = await WalletClient.ConnectAsync(clientOptions, loggers, ct);
            var options = new FetchOptions { PrefixBits = bits, Nodes = wanted, Since = sinceValue ?? 0, MinimumWork = floor };
            FetchResult result = await client.FetchAsync(keyFile.Key, options, start, ct);

            foreach (NodeFetchReport report in result.Nodes.Where(n => !n.Complete))
            {
                Console.Error.WriteLine($"warning: {report.Node}: {report.Error}");
            }
            if (result.CompleteNodes == 0)
            {
                return CliExit.Failure("no node answered the fetch");
            }
            if (!result.MetTarget)
            {
                // NNRP.md §8.4: fewer than MinFetchHolders complete answers is a partial result.
                Console.Error.WriteLine($"warning: only {result.CompleteNodes} of the {result.Target} nodes wanted answered to the end; the mailbox may be incomplete");
            }
            if (parse.GetValue(json))
            {
                PrintJson(result.Contents);
            }
            else
            {
                PrintTable(result);
            }
            if (useCheckpoint)
            {
                await result.Checkpoint.SaveAsync(checkpointPath, ct);
            }
            return CliExit.Ok;
        }));
        return command;
    }

    private static ulong ParseSince(string text)
    {
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seconds))
        {
            return seconds;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when))
        {
            return (ulong)Math.Max(0, when.ToUnixTimeSeconds());
        }
        throw new FormatException("unix seconds or an ISO 8601 date");
    }

    private static void PrintJson(MailboxContents contents)
    {
        using Stream stdout = Console.OpenStandardOutput();
        foreach (OpenedNotification item in contents.Opened)
        {
            JsonOutput.WriteLine(stdout, writer =>
            {
                WriteItem(writer, item.Hash, item.Timestamp);
                writer.WritePropertyName("event");
                using (JsonDocument ev = JsonDocument.Parse(item.Event.ToJson()))
                {
                    ev.WriteTo(writer);
                }
                JsonOutput.WriteStrings(writer, "sources", item.Sources);
            });
        }
        foreach (RejectedNotification item in contents.Rejected)
        {
            JsonOutput.WriteLine(stdout, writer =>
            {
                WriteItem(writer, item.Hash, item.Timestamp);
                writer.WriteStartObject("rejected");
                writer.WriteString("reason", JsonNamingPolicy.SnakeCaseLower.ConvertName(item.Reason.ToString()));
                writer.WriteString("message", item.Message);
                writer.WriteEndObject();
            });
        }
        stdout.Flush();
    }

    private static void WriteItem(Utf8JsonWriter writer, NotificationHash hash, ulong timestamp)
    {
        writer.WriteString("hash", hash.ToString());
        writer.WriteNumber("timestamp", timestamp);
    }

    private static void PrintTable(FetchResult result)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output: never wrap the 64-digit columns.
            AnsiConsole.Profile.Width = 400;
        }
        if (result.Contents.Opened.Count > 0)
        {
            var table = new Table().AddColumns("time (UTC)", "R", "tx_hash", "amount_raw", "memo", "hash");
            foreach (OpenedNotification item in result.Contents.Opened)
            {
                table.AddRow(
                    Fields.Utc(item.Timestamp),
                    item.Event.R,
                    item.Event.TxHash,
                    item.Event.AmountRaw ?? "",
                    Markup.Escape(item.Event.Memo ?? ""),
                    item.Hash.ToString());
            }
            AnsiConsole.Write(table);
        }
        foreach (RejectedNotification item in result.Contents.Rejected)
        {
            Console.Error.WriteLine($"rejected {item.Hash} {item.Reason}: {item.Message} (from {string.Join(", ", item.Sources)})");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Contents.Opened.Count} new, {result.Contents.Rejected.Count} rejected, {result.Contents.AlreadySeen} seen before, {result.Contents.OtherTags} for other tags; {result.CompleteNodes} nodes answered"));
    }
}
