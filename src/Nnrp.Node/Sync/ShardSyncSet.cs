using Nnrp.Node.Shards;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>
/// The items of one shard (NNRP.md §11.8.8): the store's index filtered on the tag kept beside
/// each key — <c>by_shard8</c>'s bucket for b ≥ 8 (a 256th of the store), <c>by_time</c> below —
/// so no point lookup is made. Entries read that the shard does not cover count against the
/// responder's scan budget; a budgeted read cuts at the first entry it did not examine.
/// </summary>
public sealed class ShardSyncSet(INotificationStore store, ShardId shard) : ISyncSet
{
    /// <summary>Index entries read per store call.</summary>
    private const int Chunk = 1024;

    private readonly byte? _bucket = shard.Bits >= 8 ? (byte)(shard.Index >> (shard.Bits - 8)) : null;

    public ShardId Shard => shard;

    public ISyncSet ForShard(ShardId other) => other == shard ? this : new ShardSyncSet(store, other);

    public IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue)
    {
        var chunk = new List<TaggedTimeKey>(Chunk);
        TimeKey from = lower;
        int left = max;
        while (left > 0)
        {
            chunk.Clear();
            int read = store.ReadTimeIndex(from, Chunk, chunk, _bucket);
            foreach (TaggedTimeKey entry in chunk)
            {
                if (entry.Key >= upper)
                {
                    yield break;
                }
                if (shard.Covers(entry.Top16))
                {
                    yield return entry.Key;
                    if (--left == 0)
                    {
                        yield break;
                    }
                }
            }
            if (read < Chunk)
            {
                yield break;
            }
            from = StoreSyncSet.Successor(chunk[^1].Key);
        }
    }

    public bool ReadBudgeted(TimeKey lower, TimeKey upper, int budget, List<TimeKey> keys, out TimeKey cut, out int scanned,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var chunk = new List<TaggedTimeKey>(Math.Min(Chunk, budget + 1));
        TimeKey from = lower;
        scanned = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            chunk.Clear();
            // One entry beyond the budget: it is the cut if the range goes on.
            int want = Math.Min(Chunk, budget - scanned + 1);
            int read = store.ReadTimeIndex(from, want, chunk, _bucket);
            foreach (TaggedTimeKey entry in chunk)
            {
                if (entry.Key >= upper)
                {
                    cut = upper;
                    return true;
                }
                if (scanned == budget)
                {
                    // Every entry before this one was examined; it is above lower (one was read before it).
                    cut = entry.Key;
                    return false;
                }
                scanned++;
                if (shard.Covers(entry.Top16))
                {
                    keys.Add(entry.Key);
                }
            }
            if (read < want)
            {
                cut = upper;
                return true;
            }
            from = StoreSyncSet.Successor(chunk[^1].Key);
        }
    }
}
