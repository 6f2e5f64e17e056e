using System.Runtime.InteropServices;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>
/// Summaries computed from keys already read into memory: a range is read from the store once
/// (at most a budget of keys, <see cref="Read"/>), and its fingerprint, id list and 16-way split
/// all come from that one read — never a second walk.
/// </summary>
internal readonly record struct RangeSummary(long Count, Fingerprint Fingerprint, List<NotificationHash>? Ids)
{
    /// <summary>Keys read between checks of the cancellation token.</summary>
    private const int CancellationStride = 1024;

    /// <summary>
    /// Appends to <paramref name="keys"/> up to <paramref name="max"/> keys of [lower, upper);
    /// true when that is all of them (fewer than <paramref name="max"/> were found).
    /// </summary>
    public static bool Read(ISyncSet set, TimeKey lower, TimeKey upper, int max, List<TimeKey> keys, CancellationToken cancellationToken = default)
    {
        int read = 0;
        foreach (TimeKey key in set.Range(lower, upper, max))
        {
            keys.Add(key);
            if (++read % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        return read < max;
    }

    /// <summary>The count and fingerprint of <paramref name="keys"/>, and their ids (sorted by hash) when there are at most <paramref name="listUpTo"/>.</summary>
    public static RangeSummary Of(ReadOnlySpan<TimeKey> keys, int listUpTo)
    {
        List<NotificationHash>? ids = keys.Length <= listUpTo ? IdsOf(keys) : null;
        return new RangeSummary(keys.Length, FingerprintOf(keys), ids);
    }

    /// <summary>Reads [lower, upper) whole (the caller knows it is small) and summarises it.</summary>
    public static RangeSummary Of(ISyncSet set, TimeKey lower, TimeKey upper, int listUpTo)
    {
        var keys = new List<TimeKey>();
        Read(set, lower, upper, int.MaxValue, keys);
        return Of(CollectionsMarshal.AsSpan(keys), listUpTo);
    }

    public static List<NotificationHash> IdsOf(ReadOnlySpan<TimeKey> keys)
    {
        var ids = new List<NotificationHash>(keys.Length);
        foreach (TimeKey key in keys)
        {
            ids.Add(key.Hash);
        }
        ids.Sort();
        return ids;
    }

    public static Fingerprint FingerprintOf(ReadOnlySpan<TimeKey> keys)
    {
        using var builder = new FingerprintBuilder();
        foreach (TimeKey key in keys)
        {
            builder.Add(key.Hash);
        }
        return builder.Finish();
    }

    /// <summary>
    /// §11.8.4: cuts [lower, upper), whose items are <paramref name="keys"/>, into
    /// <paramref name="buckets"/> consecutive ranges (fewer if there are fewer items, one if none)
    /// holding ⌊n/b⌋ or ⌈n/b⌉ items each, with their fingerprints and bounds as short as possible.
    /// </summary>
    public static List<SyncRange> Split(ReadOnlySpan<TimeKey> keys, TimeKey lower, TimeKey upper, int buckets = SyncLimits.Buckets)
    {
        int count = Math.Max(1, Math.Min(buckets, keys.Length));
        var ranges = new List<SyncRange>(count);
        int per = keys.Length / count;
        int extra = keys.Length % count;
        int start = 0;
        TimeKey bucketLower = lower;
        for (int i = 0; i < count; i++)
        {
            int end = start + per + (i < extra ? 1 : 0);
            TimeKey bucketUpper = i == count - 1 ? upper : SyncBounds.Between(keys[end - 1], keys[end]);
            ranges.Add(SyncRange.WithFingerprint(bucketLower, bucketUpper, FingerprintOf(keys[start..end])));
            bucketLower = bucketUpper;
            start = end;
        }
        return ranges;
    }
}
