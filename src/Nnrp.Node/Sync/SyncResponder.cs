namespace Nnrp.Node.Sync;

/// <summary>What the responder says to one reconcile request (§11.8.4).</summary>
public sealed record SyncAnswer(int Answered, IReadOnlyList<SyncRange> Ranges);

/// <summary>
/// The responder's side of a reconcile round (§11.8.4), stateless: everything it needs is in
/// the request, so any node can answer any round of anyone's session.
/// <code>
///   for each request range, in order, while the response budget lasts:
///     mine == theirs (same fingerprint / same id list)   → nothing (the range is settled)
///     my count ≤ 256                                      → my ids for the range
///     otherwise                                           → 16 sub-ranges with my fingerprints
/// </code>
/// </summary>
public static class SyncResponder
{
    public static SyncAnswer Answer(ISyncSet local, IReadOnlyList<SyncRange> request)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(request);
        var output = new List<SyncRange>();
        int ids = 0;
        int answered = 0;
        foreach (SyncRange theirs in request)
        {
            // Stop while the worst case of one more range still fits; always answer one.
            if (answered > 0 && (output.Count + SyncLimits.Buckets > SyncLimits.MaxResponseRanges
                || ids + SyncLimits.ResponderIdListMax > SyncLimits.MaxResponseIds))
            {
                break;
            }
            answered++;
            RangeSummary mine = RangeSummary.Of(local, theirs.Lower, theirs.Upper, SyncLimits.ResponderIdListMax);
            if (IsSame(theirs, mine))
            {
                continue;
            }
            if (mine.Ids is { } list)
            {
                output.Add(SyncRange.WithIds(theirs.Lower, theirs.Upper, list));
                ids += list.Count;
            }
            else
            {
                output.AddRange(RangeSummary.Split(local, theirs.Lower, theirs.Upper, mine.Count));
            }
        }
        return new SyncAnswer(answered, output);
    }

    private static bool IsSame(SyncRange theirs, RangeSummary mine) => theirs.Fingerprint is { } fingerprint
        ? fingerprint == mine.Fingerprint
        : mine.Ids is { } ids && ids.SequenceEqual(theirs.Ids!);
}
