using System.Globalization;
using System.Text;
using System.Text.Json;
using Nnrp.Core.Protocol;
using Nnrp.Core.Work;
using Nnrp.Node.Crawl;
using Spectre.Console;

namespace Nnrp.Cli.Commands;

/// <summary>
/// The two forms of <c>nnrp crawl</c>'s report: tables (nodes, shards, a summary line) and
/// one <c>--json</c> object (field list in Commands/README.md). Peer-supplied text (agent,
/// errors) is shown with control characters replaced, so a hostile agent string cannot drive
/// the terminal.
/// </summary>
internal static class CrawlOutput
{
    /// <summary>Longest agent string shown in the table (JSON carries it whole).</summary>
    private const int MaxAgentColumn = 40;

    public static void WriteTable(NetworkMap map)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output: never wrap peer ids and addresses.
            AnsiConsole.Profile.Width = 400;
        }
        var nodes = new Table().AddColumns("peer", "reach", "nat", "agent", "kad", "nnrp", "stored", "threshold", "shards", "transports", "address", "note");
        foreach (NodeReport node in map.Nodes)
        {
            StatusResponse? s = node.Status;
            nodes.AddRow(
                node.Peer.Peer.ToString(),
                node.Peer.Reachable ? "yes" : "no",
                s is null ? "-" : ReachabilityWord(s.Reachability),
                Text(node.Peer.AgentVersion ?? "-", MaxAgentColumn),
                node.Peer.Reachable ? YesNo(node.Peer.ServesKad) : "-",
                node.Peer.Reachable ? YesNo(node.ServesNnrp) : "-",
                s is null ? "-" : s.Stored.ToString(CultureInfo.InvariantCulture),
                s is null ? "-" : ProofOfWork.FormatWork(s.CurrentThreshold),
                s is null ? "-" : Shards(s),
                string.Join(" ", node.Transports),
                Text((node.Peer.DialedAddress ?? (node.Peer.Addresses.Count > 0 ? node.Peer.Addresses[0] : null))?.ToString() ?? "-", int.MaxValue),
                Text(node.Peer.Error ?? node.StatusError ?? "", int.MaxValue));
        }
        AnsiConsole.Write(nodes);
        var shards = new Table().AddColumns("shard", "providers", "reachable_verified", "replication", "cid");
        foreach (ShardReport shard in map.Shards)
        {
            shards.AddRow(
                string.Create(CultureInfo.InvariantCulture, $"{shard.Bits}/{shard.Index}"),
                shard.Providers.Count.ToString(CultureInfo.InvariantCulture),
                shard.ReachableVerified.ToString(CultureInfo.InvariantCulture),
                shard.UnderReplicated ? $"UNDER (< {map.MinProviders})" : "ok",
                shard.Cid);
        }
        AnsiConsole.Write(shards);
        Console.WriteLine(Summary(map));
    }

    /// <summary>One line: counts, completeness and time.</summary>
    public static string Summary(NetworkMap map)
    {
        int reachable = map.Nodes.Count(static n => n.Peer.Reachable);
        int nnrp = map.Nodes.Count(static n => n.Status is not null);
        int flagged = map.Shards.Count(static s => s.UnderReplicated);
        return string.Create(CultureInfo.InvariantCulture,
            $"{map.Nodes.Count} peers visited, {reachable} reachable, {nnrp} answered /nnrp/1.0 status, {map.Crawl.NotVisited} not visited; "
            + $"{map.Shards.Count} shards, {flagged} under-replicated; {(map.Crawl.Complete ? "complete" : "incomplete: stopped by " + StoppedBy(map))} in {map.Crawl.Elapsed.TotalSeconds:0.0} s");
    }

    public static void WriteJson(NetworkMap map) =>
        JsonOutput.Write(w =>
        {
            w.WriteBoolean("complete", map.Crawl.Complete);
            if (map.Crawl.Complete)
            {
                w.WriteNull("stopped_by");
            }
            else
            {
                w.WriteString("stopped_by", StoppedBy(map));
            }
            w.WriteNumber("elapsed_s", Math.Round(map.Crawl.Elapsed.TotalSeconds, 3));
            w.WriteNumber("bootstrap_reached", map.Crawl.BootstrapReached);
            w.WriteNumber("not_visited", map.Crawl.NotVisited);
            w.WriteNumber("min_providers", map.MinProviders);
            JsonOutput.WriteObjects(w, "nodes", map.Nodes, static (w, node) => WriteNode(w, node));
            JsonOutput.WriteObjects(w, "shards", map.Shards, static (w, shard) =>
            {
                w.WriteNumber("bits", shard.Bits);
                w.WriteNumber("index", shard.Index);
                w.WriteString("cid", shard.Cid);
                JsonOutput.WriteStrings(w, "providers", shard.Providers.Select(static p => p.ToString()));
                w.WriteNumber("reachable_verified", shard.ReachableVerified);
                w.WriteBoolean("under_replicated", shard.UnderReplicated);
            });
        });

    private static void WriteNode(Utf8JsonWriter w, NodeReport node)
    {
        w.WriteString("peer_id", node.Peer.Peer.ToString());
        w.WriteBoolean("reachable", node.Peer.Reachable);
        WriteStringOrNull(w, "dialed_address", node.Peer.DialedAddress?.ToString());
        WriteStringOrNull(w, "error", node.Peer.Error);
        WriteStringOrNull(w, "agent", node.Peer.AgentVersion);
        WriteStringOrNull(w, "libp2p_protocol_version", node.Peer.ProtocolVersion);
        JsonOutput.WriteStrings(w, "protocols", node.Peer.Protocols);
        w.WriteBoolean("serves_nnrp", node.ServesNnrp);
        w.WriteBoolean("kad_server", node.Peer.ServesKad);
        w.WriteNumber("kad_requests", node.Peer.KadRequests);
        w.WriteNumber("peers_named", node.Peer.PeersNamed);
        JsonOutput.WriteStrings(w, "addresses", node.Peer.Addresses.Select(static a => a.ToString()));
        JsonOutput.WriteStrings(w, "transports", node.Transports);
        WriteStringOrNull(w, "status_error", node.StatusError);
        if (node.Status is not { } s)
        {
            w.WriteNull("status");
            return;
        }
        w.WriteStartObject("status");
        w.WriteString("agent", s.Agent);
        w.WriteNumber("protocol_version", s.ProtocolVersion);
        w.WriteNumber("stored", s.Stored);
        w.WriteString("base_threshold", ProofOfWork.FormatWork(s.BaseThreshold));
        w.WriteString("current_threshold", ProofOfWork.FormatWork(s.CurrentThreshold));
        w.WriteNumber("current_multiplier", Math.Round(Thresholds.ToMultiplier(s.CurrentThreshold, s.BaseThreshold), 2));
        w.WriteNumber("now", s.Now);
        w.WriteNumber("max_payload", s.MaxPayload);
        w.WriteNumber("min_ttl_s", s.MinTtl);
        w.WriteNumber("max_ttl_s", s.MaxTtl);
        w.WriteNumber("max_page", s.MaxPage);
        w.WriteString("reachability", ReachabilityWord(s.Reachability));
        JsonOutput.WriteObjects(w, "shards", s.Shards, static (ws, shard) =>
        {
            ws.WriteNumber("bits", shard.Bits);
            ws.WriteNumber("index", shard.Index);
        });
        w.WriteEndObject();
    }

    private static string StoppedBy(NetworkMap map) =>
        map.Crawl.DeadlineReached ? "timeout" : "max_peers";

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>What the node's own AutoNAT concluded (NNRP.md §14.5), as /v1/status spells it.</summary>
    private static string ReachabilityWord(NodeReachability reachability) => reachability switch
    {
        NodeReachability.Public => "public",
        NodeReachability.Private => "private",
        _ => "unknown",
    };

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Shards(StatusResponse status) =>
        string.Join(" ", status.Shards.Select(static s => string.Create(CultureInfo.InvariantCulture, $"{s.Bits}/{s.Index}")));

    /// <summary>Peer-supplied text for a table cell: control characters replaced, cut at <paramref name="max"/>, markup escaped.</summary>
    private static string Text(string value, int max)
    {
        var clean = new StringBuilder(Math.Min(value.Length, max));
        foreach (char c in value.AsSpan(0, Math.Min(value.Length, max)))
        {
            clean.Append(char.IsControl(c) ? '?' : c);
        }
        return Markup.Escape(clean.ToString());
    }
}
