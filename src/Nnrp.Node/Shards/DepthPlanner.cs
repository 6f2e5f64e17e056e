namespace Nnrp.Node.Shards;

/// <summary>
/// NNRP.md §8.2, the pure rule: a node's depth from its budget and the network volume estimate.
/// A report is <c>stored_bytes × 2^b</c>; the estimate V̂ is the median of the reports (the
/// node's own among them), none with fewer than <see cref="MinReports"/>; the node deepens when
/// its share V̂ / 2^b exceeds <see cref="DeepenAbove"/> of the budget and goes shallower only
/// when the share one step up, V̂ / 2^(b−1), is under <see cref="ShallowerBelow"/> of it.
/// </summary>
public static class DepthPlanner
{
    /// <summary>Reports needed for an estimate (own included): one liar of three cannot move the median past the honest two.</summary>
    public const int MinReports = 3;

    /// <summary>Deepen when the share held exceeds 3/4 of the budget.</summary>
    public const double DeepenAbove = 0.75;

    /// <summary>Go shallower when the share one step up would be under 1/4 of the budget (hysteresis: far from 3/4).</summary>
    public const double ShallowerBelow = 0.25;

    /// <summary>How often a node in <c>auto</c> re-evaluates its depth.</summary>
    public static readonly TimeSpan EvaluateInterval = TimeSpan.FromMinutes(10);

    /// <summary>The first evaluation after start: peers' status has been gathered by then.</summary>
    public static readonly TimeSpan FirstEvaluation = TimeSpan.FromMinutes(1);

    /// <summary>At most one move (one step) per this interval.</summary>
    public static readonly TimeSpan MinMoveInterval = TimeSpan.FromHours(1);

    /// <summary>A reporter's figure for the whole tag space: <c>stored_bytes × 2^b</c>, saturating.</summary>
    public static ulong Report(ulong storedBytes, int shallowestBits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shallowestBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shallowestBits, ShardId.MaxBits);
        return storedBytes > ulong.MaxValue >> shallowestBits ? ulong.MaxValue : storedBytes << shallowestBits;
    }

    /// <summary>The median of the reports (the lower middle one for an even count); null with fewer than <see cref="MinReports"/>.</summary>
    public static ulong? Estimate(IReadOnlyCollection<ulong> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count < MinReports)
        {
            return null;
        }
        ulong[] sorted = [.. reports.Order()];
        return sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>§8.6: a repair shard is at most this many bits deeper than the node's own depth (an eighth of a home shard).</summary>
    public const int MaxRepairDepthBelow = 3;

    /// <summary>
    /// §8.6: the depth at which a node at <paramref name="depth"/> holding <paramref name="storedBytes"/>
    /// can take up one more shard, or null when it has no room. With a volume estimate it is the
    /// shallowest depth r from <paramref name="depth"/> to <paramref name="depth"/> + <see cref="MaxRepairDepthBelow"/>
    /// (and ≤ 16) whose shard size V̂ / 2^r fits with what it stores under the same
    /// <see cref="DeepenAbove"/> ceiling §8.2 keeps the home share under; without one, its own
    /// depth when the store is under half full. A node whose home share is above 3/8 of its budget
    /// (most nodes, by §8.2) has no room for a whole second shard of its depth, but has for a part
    /// of one: repairing a weak shard a part at a time lets every node with any room help.
    /// </summary>
    public static int? RepairDepth(long storedBytes, ulong? estimate, int depth, long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        if (budget <= 0)
        {
            return null;
        }
        if (estimate is not { } volume)
        {
            return storedBytes < budget / 2 ? depth : null;
        }
        double room = DeepenAbove * budget - Math.Max(0, storedBytes);
        for (int r = depth; r <= Math.Min(ShardId.MaxBits, depth + MaxRepairDepthBelow); r++)
        {
            if (volume / Math.Pow(2, r) <= room)
            {
                return r;
            }
        }
        return null;
    }

    /// <summary>The depth to move to from <paramref name="depth"/> (one step at most), or <paramref name="depth"/> to stay.</summary>
    public static int Plan(int depth, ulong? estimate, long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, ShardId.MaxBits);
        if (estimate is not { } volume || budget <= 0)
        {
            return depth;
        }
        double share = volume / Math.Pow(2, depth);
        if (depth < ShardId.MaxBits && share > DeepenAbove * budget)
        {
            return depth + 1;
        }
        if (depth > 0 && share * 2 < ShallowerBelow * budget)
        {
            return depth - 1;
        }
        return depth;
    }
}
