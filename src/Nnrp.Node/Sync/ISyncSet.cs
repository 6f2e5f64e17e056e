using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>The items one side reconciles: every stored notification's (timestamp, hash), ordered.</summary>
public interface ISyncSet
{
    /// <summary>
    /// The keys k with <paramref name="lower"/> ≤ k &lt; <paramref name="upper"/>, ascending, at most
    /// <paramref name="max"/> of them; a store-backed set reads at most <paramref name="max"/> index entries.
    /// </summary>
    IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue);

    /// <summary>
    /// The responder's read (§11.8.4, §11.8.8): appends the items of [lower, upper) while at most
    /// <paramref name="budget"/> index entries are read; true when that is all of them. Otherwise
    /// <paramref name="cut"/> (&gt; lower) bounds what was read: <paramref name="keys"/> holds exactly
    /// the items in [lower, cut). This default cuts between the last two keys read (§11.8.4).
    /// </summary>
    bool ReadBudgeted(TimeKey lower, TimeKey upper, int budget, List<TimeKey> keys, out TimeKey cut, out int scanned,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        int before = keys.Count;
        bool whole = RangeSummary.Read(this, lower, upper, budget, keys, cancellationToken);
        scanned = keys.Count - before;
        if (whole)
        {
            cut = upper;
            return true;
        }
        cut = SyncBounds.Between(keys[^2], keys[^1]);
        keys.RemoveAt(keys.Count - 1);
        return false;
    }

    /// <summary>The items whose tags <paramref name="shard"/> covers (§11.8.8); a set that cannot filter serves (0, 0) only.</summary>
    ISyncSet ForShard(Shards.ShardId shard) =>
        shard.Bits == 0 ? this : throw new NotSupportedException("this sync set cannot filter by shard");
}

/// <summary>The store's <c>by_time</c> index read in chunks (the sync set of a real node).</summary>
public sealed class StoreSyncSet(INotificationStore store) : ISyncSet
{
    public ISyncSet ForShard(Shards.ShardId shard) => shard.Bits == 0 ? this : new ShardSyncSet(store, shard);

    /// <summary>Keys read from RocksDB per iterator: big enough to amortise the seek, small enough to stay in cache.</summary>
    private const int Chunk = 1024;

    public IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue)
    {
        var chunk = new List<TimeKey>(Math.Min(Chunk, Math.Max(0, max)));
        TimeKey from = lower;
        int left = max;
        while (left > 0)
        {
            chunk.Clear();
            int want = Math.Min(Chunk, left);
            int read = store.ReadTimeIndex(from, want, chunk);
            foreach (TimeKey key in chunk)
            {
                if (key >= upper)
                {
                    yield break;
                }
                yield return key;
            }
            left -= read;
            if (read < want)
            {
                yield break;
            }
            // Resume just after the last key: the same timestamp and the next hash up.
            from = Successor(chunk[^1]);
        }
    }

    internal static TimeKey Successor(TimeKey key)
    {
        Span<byte> id = stackalloc byte[Core.Notifications.NotificationHash.Size];
        key.Hash.CopyTo(id);
        for (int i = id.Length - 1; i >= 0; i--)
        {
            if (++id[i] != 0)
            {
                return key with { Hash = Core.Notifications.NotificationHash.FromBytes(id) };
            }
        }
        return new TimeKey(key.Timestamp + 1, SyncBounds.Lowest.Hash);
    }
}

/// <summary>An in-memory sync set (the twin of <see cref="StoreSyncSet"/> for unit tests and tools).</summary>
public sealed class MemorySyncSet : ISyncSet
{
    private readonly List<TimeKey> _items;

    public MemorySyncSet(IEnumerable<TimeKey> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.Distinct().Order().ToList();
    }

    public int Count => _items.Count;

    public IReadOnlyList<TimeKey> Items => _items;

    public void Add(TimeKey key)
    {
        int i = _items.BinarySearch(key);
        if (i < 0)
        {
            _items.Insert(~i, key);
        }
    }

    public IEnumerable<TimeKey> Range(TimeKey lower, TimeKey upper, int max = int.MaxValue)
    {
        int i = _items.BinarySearch(lower);
        for (i = i < 0 ? ~i : i; i < _items.Count && _items[i] < upper && max-- > 0; i++)
        {
            yield return _items[i];
        }
    }
}
