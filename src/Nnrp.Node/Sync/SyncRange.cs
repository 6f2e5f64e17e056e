using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;

namespace Nnrp.Node.Sync;

/// <summary>
/// §11.8.2: the items k with <see cref="Lower"/> ≤ k &lt; <see cref="Upper"/> summarised by
/// either a <see cref="Fingerprint"/> or the complete list of their <see cref="Ids"/>, sorted
/// by hash bytes (not by time: hash order lets a receiver check the list has no repeats).
/// </summary>
public sealed record SyncRange(TimeKey Lower, TimeKey Upper, Fingerprint? Fingerprint, IReadOnlyList<NotificationHash>? Ids)
{
    public static SyncRange WithFingerprint(TimeKey lower, TimeKey upper, Fingerprint fingerprint) => new(lower, upper, fingerprint, null);

    public static SyncRange WithIds(TimeKey lower, TimeKey upper, IReadOnlyList<NotificationHash> ids) => new(lower, upper, null, ids);

    public bool Covers(SyncRange inner) => Lower <= inner.Lower && inner.Upper <= Upper;
}

/// <summary>One pass over a range: its count and fingerprint, and its ids (sorted by hash) when there are few.</summary>
internal readonly record struct RangeSummary(long Count, Fingerprint Fingerprint, List<NotificationHash>? Ids)
{
    /// <summary>Walks [lower, upper) once; keeps the ids only while there are at most <paramref name="listUpTo"/>.</summary>
    public static RangeSummary Of(ISyncSet set, TimeKey lower, TimeKey upper, int listUpTo)
    {
        using var builder = new FingerprintBuilder();
        List<NotificationHash>? ids = [];
        foreach (TimeKey key in set.Range(lower, upper))
        {
            builder.Add(key.Hash);
            if (ids is not null)
            {
                if (ids.Count < listUpTo)
                {
                    ids.Add(key.Hash);
                }
                else
                {
                    ids = null;
                }
            }
        }
        ids?.Sort();
        long count = builder.Count;
        return new RangeSummary(count, builder.Finish(), ids);
    }

    /// <summary>
    /// §11.8.4: cuts [lower, upper) into at most <see cref="SyncLimits.Buckets"/> consecutive
    /// ranges of about equal item counts, each with its fingerprint, bounds as short as possible.
    /// <paramref name="expected"/> is the count of a previous pass; if the set changed since, the
    /// last range takes the difference.
    /// </summary>
    public static List<SyncRange> Split(ISyncSet set, TimeKey lower, TimeKey upper, long expected)
    {
        var ranges = new List<SyncRange>(SyncLimits.Buckets);
        using var builder = new FingerprintBuilder();
        long perBucket = Math.Max(1, expected / SyncLimits.Buckets);
        long extra = Math.Max(0, expected - (perBucket * SyncLimits.Buckets));
        TimeKey bucketLower = lower;
        TimeKey previous = default;
        long target = perBucket + (extra > 0 ? 1 : 0);
        foreach (TimeKey key in set.Range(lower, upper))
        {
            if (builder.Count >= target && ranges.Count < SyncLimits.Buckets - 1)
            {
                TimeKey bound = SyncBounds.Between(previous, key);
                ranges.Add(SyncRange.WithFingerprint(bucketLower, bound, builder.Finish()));
                bucketLower = bound;
                target = perBucket + (ranges.Count < extra ? 1 : 0);
            }
            builder.Add(key.Hash);
            previous = key;
        }
        ranges.Add(SyncRange.WithFingerprint(bucketLower, upper, builder.Finish()));
        return ranges;
    }
}
