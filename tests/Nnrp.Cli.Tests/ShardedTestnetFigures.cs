using System.Globalization;
using System.Text;

namespace Nnrp.Cli.Tests;

/// <summary>One retrievability check of the sharded testnet: every accepted notification read back from each verified holder.</summary>
/// <param name="Notifications">Accepted notifications checked.</param>
/// <param name="Short">Of those, how many came back from fewer than <see cref="ShardedTestnet.MinHolders"/> holders.</param>
/// <param name="MinCopies">The fewest holders any notification came back from.</param>
/// <param name="MeanCopies">Holders a notification came back from, on average.</param>
/// <param name="MinVerified">The fewest verified holders the SDK's search found for a tag.</param>
/// <param name="MaxVerified">The most.</param>
/// <param name="Seconds">Time the check took.</param>
internal sealed record CheckFigures(int Notifications, int Short, int MinCopies, double MeanCopies, int MinVerified, int MaxVerified, double Seconds);

/// <summary>One node at the end of the run.</summary>
internal sealed record NodeFigures(int Index, string PeerId, string Shards, long Stored, long StoredBytes, long PeakBytes, long Budget, bool Killed);

/// <summary>The sharded testnet's figures, printed as Markdown tables (docs/SCALE.md takes them as printed).</summary>
internal sealed class ShardedTestnetFigures
{
    public double StartSeconds { get; set; }

    public double Phase1Seconds { get; set; }

    /// <summary>Accepted notifications when the nodes first held a depth-1 shard (first…last node).</summary>
    public string DeepenedAfter { get; set; } = "-";

    public double Settle1Seconds { get; set; }

    public CheckFigures? Check1 { get; set; }

    public int[] Killed { get; set; } = [];

    public double Phase2Seconds { get; set; }

    public double Settle2Seconds { get; set; }

    public CheckFigures? Check2 { get; set; }

    public int Restored { get; set; }

    public int RestoredWanted { get; set; }

    public double WallSeconds { get; set; }

    public List<NodeFigures> Nodes { get; } = [];

    public string ToMarkdown(ShardedTestnetOptions options, int notificationSize, long budget)
    {
        var b = new StringBuilder();
        void Row(string figure, string value) => b.Append(CultureInfo.InvariantCulture, $"| {figure} | {value} |\n");
        string Check(CheckFigures? c) => c is null ? "-" : string.Create(CultureInfo.InvariantCulture,
            $"{c.Notifications} read back; copies per notification min {c.MinCopies}, mean {c.MeanCopies:F2}; verified holders per tag {c.MinVerified}…{c.MaxVerified}; {c.Short} under {ShardedTestnet.MinHolders} ({c.Seconds:F0} s)");
        b.Append("| figure | value |\n|---|---|\n");
        Row("nodes / killed and restarted", $"{options.Nodes} / {Killed.Length} (nodes {string.Join(", ", Killed)})");
        Row("notifications / tags / seeds", $"{options.Notifications} / {options.Tags} / {options.Seeds}");
        Row("notification size / budget per node", string.Create(CultureInfo.InvariantCulture, $"{notificationSize} B / {budget} B ({ShardedTestnet.BudgetShare} × all)"));
        Row($"start {options.Nodes} processes", string.Create(CultureInfo.InvariantCulture, $"{StartSeconds:F1} s"));
        Row("nodes at depth 1 after (accepted notifications, first…last node)", DeepenedAfter);
        Row("phase 1: publish / settle at depth 1", string.Create(CultureInfo.InvariantCulture, $"{Phase1Seconds:F1} s / {Settle1Seconds:F1} s"));
        Row("check after phase 1", Check(Check1));
        Row("phase 2 (3 down): publish / settle after restart", string.Create(CultureInfo.InvariantCulture, $"{Phase2Seconds:F1} s / {Settle2Seconds:F1} s"));
        Row("check after the restart", Check(Check2));
        Row("wallet restored from its seed", $"{Restored} of {RestoredWanted} fetched");
        Row("wall clock", string.Create(CultureInfo.InvariantCulture, $"{WallSeconds:F0} s"));
        b.Append("\n| node | peer id | shards | stored | stored_bytes | peak stored_bytes | budget | killed |\n|---|---|---|---|---|---|---|---|\n");
        foreach (NodeFigures n in Nodes)
        {
            b.Append(CultureInfo.InvariantCulture,
                $"| {n.Index} | {n.PeerId[..12]}… | {n.Shards} | {n.Stored} | {n.StoredBytes} | {n.PeakBytes} ({100.0 * n.PeakBytes / n.Budget:F0} %) | {n.Budget} | {(n.Killed ? "yes" : "")} |\n");
        }
        return b.ToString();
    }
}
