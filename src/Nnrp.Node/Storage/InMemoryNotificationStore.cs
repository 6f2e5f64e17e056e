using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Storage;

/// <summary>
/// The node's store in memory: every rule of <see cref="RocksDbNotificationStore"/> (dedupe,
/// per-tag cap, global size cap by least work per byte, pricing floor, fetch pages and cursors,
/// TTL sweep, the <c>by_time</c> index sync reads) over the same orders kept as sorted sets
/// (<see cref="InMemoryIndexes"/>), without durability: what it holds is gone with the process.
/// For behaviour tests of whole nodes, where a RocksDB directory per node costs more than the test.
/// <para>
/// One writer at a time (the ingress group commit, the sweeper) decides under an upgradeable
/// lock while readers go on, then applies the group under the write lock, so a reader sees a
/// group entirely or not at all, as with a RocksDB WriteBatch.
/// </para>
/// </summary>
public sealed partial class InMemoryNotificationStore : INotificationStore
{
    private readonly StoreOptions _options;
    private readonly ILogger _logger;
    private readonly InMemoryIndexes _indexes = new();
    // Readers share it; Put and SweepExpired hold its upgradeable mode (so one writer at a
    // time) and take the write mode only to apply; Dispose takes the write mode.
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private volatile Totals _totals = new(0, 0, 0);
    private volatile bool _disposed;

    /// <param name="options">the caps and the page scan budget; <see cref="StoreOptions.SyncWrites"/> has no meaning here.</param>
    public InMemoryNotificationStore(StoreOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new StoreOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>What <see cref="Statistics"/> and <see cref="Floor"/> read without a lock, replaced after every write.</summary>
    private sealed record Totals(long Count, long Bytes, UInt128 LeastWorthCost);

    public StoreStatistics Statistics
    {
        get
        {
            ThrowIfDisposed();
            Totals t = _totals;
            return new StoreStatistics(t.Count, t.Bytes, DiskBytes: 0);
        }
    }

    public StoreFloor? Floor
    {
        get
        {
            Totals t = _totals;
            return new StoreFloor(t.Bytes, _options.MaxBytes, t.LeastWorthCost);
        }
    }

    public bool Contains(NotificationHash hash) => Read(hash, static (indexes, h) => indexes.Contains(h));

    public Notification? Get(NotificationHash hash) => Read(hash, static (indexes, h) => indexes.Get(h)?.Notification);

    public ulong? LowestValueOf(RecipientTag tag) =>
        Read(tag, static (indexes, t) => indexes.LowestOfTag(t).Select(e => (ulong?)e.Value).FirstOrDefault());

    public int ReadTimeIndex(TimeKey from, int max, List<TaggedTimeKey> destination, byte? firstByte)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Read((from, max, destination, firstByte), static (indexes, a) =>
        {
            SortedSet<TimeKey>? keys = a.firstByte is { } first ? indexes.ShardTimes(first) : indexes.Times;
            int read = 0;
            if (a.max <= 0 || keys is null)
            {
                return 0;
            }
            foreach (TimeKey key in keys.GetViewBetween(a.from, InMemoryIndexes.Highest))
            {
                a.destination.Add(new TaggedTimeKey(key, (ushort)indexes.Get(key.Hash)!.Entry.Tag.ShardIndex(16)));
                if (++read == a.max)
                {
                    break;
                }
            }
            return read;
        });
    }

    public int ReadTimeIndex(TimeKey from, int max, List<TimeKey> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Read((from, max, destination), static (indexes, a) =>
        {
            if (a.max <= 0)
            {
                return 0;
            }
            int read = 0;
            foreach (TimeKey key in indexes.Times.GetViewBetween(a.from, InMemoryIndexes.Highest))
            {
                a.destination.Add(key);
                if (++read == a.max)
                {
                    break;
                }
            }
            return read;
        });
    }

    public NotificationPage Fetch(FetchQuery query, ulong now)
    {
        ArgumentNullException.ThrowIfNull(query);
        FetchCursor? cursor = FetchCursor.Parse(query.Cursor.Span);
        return Read((query, cursor, now, _options.MaxScanPerPage), static (indexes, a) =>
        {
            // The index the RocksDB store reads for this prefix width, and whether its entries
            // need the tag checked (exact: no; a shard or the whole time order: yes).
            (SortedSet<TimeKey>? index, FetchQuery? filter) = a.query.PrefixBits switch
            {
                FetchQuery.ExactBits => (indexes.TagTimes(a.query.ExactTag!.Value), null),
                >= 8 => (indexes.ShardTimes(a.query.PrefixBytes.Span[0]), a.query),
                _ => (indexes.Times, a.query),
            };
            return index is null ? NotificationPage.Empty : Scan(indexes, index, filter, a.query, a.cursor, a.now, a.MaxScanPerPage);
        });
    }

    /// <summary>
    /// Walks one (timestamp, hash) order from max(since, cursor), keeping entries whose tag
    /// matches <paramref name="filter"/> and that have not expired, until the page is full or
    /// <paramref name="maxScan"/> entries were examined; the cursor names the last one examined.
    /// </summary>
    private static NotificationPage Scan(InMemoryIndexes indexes, SortedSet<TimeKey> index, FetchQuery? filter, FetchQuery query,
        FetchCursor? cursor, ulong now, int maxScan)
    {
        bool afterCursor = cursor is { } c && c.Timestamp >= query.Since;
        TimeKey start = afterCursor ? new TimeKey(cursor!.Value.Timestamp, cursor.Value.Hash) : new TimeKey(query.Since, SyncBounds.Lowest.Hash);
        var page = new List<Notification>(Math.Min(query.Limit, 64));
        TimeKey last = default;
        bool more = false;
        int scanned = 0;
        using SortedSet<TimeKey>.Enumerator it = index.GetViewBetween(start, InMemoryIndexes.Highest).GetEnumerator();
        bool valid = it.MoveNext();
        if (afterCursor && valid && it.Current == start)
        {
            valid = it.MoveNext();
        }
        while (valid)
        {
            last = it.Current;
            scanned++;
            InMemoryIndexes.Item item = indexes.Get(last.Hash)!;
            if ((filter is null || filter.Matches(item.Entry.Tag)) && item.Notification.ExpiresAt > now)
            {
                page.Add(item.Notification);
            }
            valid = it.MoveNext();
            if (page.Count >= query.Limit || scanned >= maxScan)
            {
                more = valid;
                break;
            }
        }
        return new NotificationPage(page, more ? new FetchCursor(last.Timestamp, last.Hash).ToBytes() : ReadOnlyMemory<byte>.Empty);
    }

    public int SweepExpired(ulong now, int maxItems) => Write((now, maxItems), static (indexes, batch, a) =>
    {
        // NNRP.md §5: expired once timestamp + ttl ≤ now; earliest first, as many as allowed.
        foreach (StoredEntry e in indexes.EarliestExpiryFirst)
        {
            if (batch.Deleted >= a.maxItems || e.ExpiresAt > a.now)
            {
                break;
            }
            batch.Delete(e);
        }
        return batch.Deleted;
    });

    public int DropTags(Func<RecipientTag, bool> drop, int maxItems) => Write((drop, maxItems), static (indexes, batch, a) =>
    {
        // NNRP.md §8.5: a shard the node left; earliest expiry first, as many as allowed.
        foreach (StoredEntry e in indexes.EarliestExpiryFirst.Where(e => a.drop(e.Tag)).ToArray())
        {
            if (batch.Deleted >= a.maxItems)
            {
                break;
            }
            batch.Delete(e);
        }
        return batch.Deleted;
    });

    /// <summary>
    /// Runs a read under the shared lock. <paramref name="state"/> carries the arguments so the
    /// lambdas stay static (no closure allocated per call on the fetch path).
    /// </summary>
    private TResult Read<TState, TResult>(TState state, Func<InMemoryIndexes, TState, TResult> read)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            return read(_indexes, state);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Runs one write: <paramref name="decide"/> fills a batch while readers go on, then the batch
    /// is applied and the totals replaced under the write lock, before another writer may decide.
    /// </summary>
    private TResult Write<TState, TResult>(TState state, Func<InMemoryIndexes, InMemoryBatch, TState, TResult> decide)
    {
        _lock.EnterUpgradeableReadLock();
        try
        {
            ThrowIfDisposed();
            var batch = new InMemoryBatch(_indexes);
            TResult result = decide(_indexes, batch, state);
            if (batch.HasChanges)
            {
                _lock.EnterWriteLock();
                try
                {
                    batch.Apply();
                    _totals = new Totals(_indexes.Count, _indexes.Bytes, _indexes.LeastWorthCost);
                }
                finally
                {
                    _lock.ExitWriteLock();
                }
            }
            return result;
        }
        finally
        {
            _lock.ExitUpgradeableReadLock();
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new StoreUnavailableException("the store is closed", new ObjectDisposedException(nameof(InMemoryNotificationStore)));
        }
    }

    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _indexes.Clear();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }
}
