using System.Runtime.InteropServices;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>What the responder says to one reconcile request (§11.8.4), and the index entries it read for it.</summary>
public sealed record SyncAnswer(int Answered, IReadOnlyList<SyncRange> Ranges)
{
    public int Scanned { get; init; }
}

/// <summary>
/// The responder's side of a reconcile round (§11.8.4), stateless: everything it needs is in
/// the request, so any node can answer any round of anyone's session. Each range is read once,
/// into memory, within a scan budget for the whole request (§11.8.7):
/// <code>
///   for each request range, in order, while the response and scan budgets last:
///     range read whole:
///       mine == theirs (same fingerprint / same id list)  → nothing (the range is settled)
///       my count ≤ 256                                     → my ids for the range
///       otherwise                                          → 16 sub-ranges with my fingerprints
///     budget ran out inside it, at cut (between the last two keys read, or a filtered read's first unexamined entry):
///       [lower, cut) as if read whole (ids, or 15 sub-ranges), then [cut, upper) open; stop
/// </code>
/// </summary>
public static class SyncResponder
{
    public static SyncAnswer Answer(ISyncSet local, IReadOnlyList<SyncRange> request, int scanBudget = SyncLimits.MaxScanPerRequest,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(request);
        // A cut needs one key read and one beyond it, so the budget always makes progress.
        ArgumentOutOfRangeException.ThrowIfLessThan(scanBudget, 2);
        var output = new List<SyncRange>();
        var keys = new List<TimeKey>();
        int ids = 0;
        int answered = 0;
        int left = scanBudget;
        foreach (SyncRange theirs in request)
        {
            // Stop while the worst case of one more range still fits; always answer one.
            if (answered > 0 && (output.Count + SyncLimits.Buckets > SyncLimits.MaxResponseRanges
                || ids + SyncLimits.ResponderIdListMax > SyncLimits.MaxResponseIds || left < 2))
            {
                break;
            }
            answered++;
            keys.Clear();
            bool whole = local.ReadBudgeted(theirs.Lower, theirs.Upper, left, keys, out TimeKey cut, out int scanned, cancellationToken);
            left -= scanned;
            if (whole)
            {
                ids += AnswerWhole(theirs, CollectionsMarshal.AsSpan(keys), output);
                continue;
            }
            // [lower, cut) holds exactly the keys read: cut between the last two (§11.8.4) or, on a
            // filtered read, at the first entry not examined (§11.8.8).
            ReadOnlySpan<TimeKey> seen = CollectionsMarshal.AsSpan(keys);
            if (seen.Length <= SyncLimits.ResponderIdListMax)
            {
                output.Add(SyncRange.WithIds(theirs.Lower, cut, RangeSummary.IdsOf(seen)));
                ids += seen.Length;
            }
            else
            {
                // One piece fewer than a whole split, so the open rest keeps it at 16 per range.
                output.AddRange(RangeSummary.Split(seen, theirs.Lower, cut, SyncLimits.Buckets - 1));
            }
            output.Add(SyncRange.Open(cut, theirs.Upper));
            break;
        }
        return new SyncAnswer(answered, output) { Scanned = scanBudget - left };
    }

    /// <summary>Answers a range read whole; returns the ids it listed.</summary>
    private static int AnswerWhole(SyncRange theirs, ReadOnlySpan<TimeKey> mine, List<SyncRange> output)
    {
        RangeSummary summary = RangeSummary.Of(mine, SyncLimits.ResponderIdListMax);
        if (IsSame(theirs, summary))
        {
            return 0;
        }
        if (summary.Ids is { } list)
        {
            output.Add(SyncRange.WithIds(theirs.Lower, theirs.Upper, list));
            return list.Count;
        }
        output.AddRange(RangeSummary.Split(mine, theirs.Lower, theirs.Upper));
        return 0;
    }

    private static bool IsSame(SyncRange theirs, RangeSummary mine) => theirs.Fingerprint is { } fingerprint
        ? fingerprint == mine.Fingerprint
        : mine.Ids is { } ids && ids.SequenceEqual(theirs.Ids!);
}
