using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using RocksDbSharp;
using Nnrp.Protocol.Sync;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Storage;

/// <summary>
/// The node's store on RocksDB (layout in <see cref="StoreSchema"/>). One writer at a time
/// (the ingress group commit, the sweeper); each write is one WriteBatch with the WAL synced
/// before it returns. RocksDB failures become <see cref="StoreUnavailableException"/>: a
/// refusal for the caller, never a half-written record.
/// </summary>
public sealed partial class RocksDbNotificationStore : INotificationStore
{
    /// <summary>Bytes of memtables across every column family (RocksDB db_write_buffer_size).</summary>
    public const long MemtableBudget = 64L << 20;

    private readonly RocksDb _db;
    private readonly StoreOptions _options;
    private readonly ILogger _logger;
    private readonly WriteOptions _writeOptions;
    private readonly Dictionary<string, ColumnFamilyHandle> _cf = new(StringComparer.Ordinal);
    private readonly object _writeLock = new();
    // Readers hold it shared, Dispose exclusively: no native call runs on a closed database.
    private readonly ReaderWriterLockSlim _lifetime = new(LockRecursionPolicy.SupportsRecursion);
    private readonly object _floorLock = new();
    private UInt128 _leastWorthCost;
    private long _count;
    private long _bytes;
    private bool _disposed;

    private RocksDbNotificationStore(RocksDb db, StoreOptions options, ILogger logger)
    {
        _db = db;
        _options = options;
        _logger = logger;
        _writeOptions = new WriteOptions().SetSync(options.SyncWrites);
        foreach (string name in StoreSchema.ColumnFamilies)
        {
            _cf[name] = db.GetColumnFamily(name);
        }
    }

    public string Path => _db.Path;

    /// <summary>Opens (creating if needed) the store in <paramref name="path"/>.</summary>
    /// <exception cref="StoreUnavailableException">the directory or database cannot be used.</exception>
    public static RocksDbNotificationStore Open(string path, StoreOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new StoreOptions();
        logger ??= NullLogger.Instance;
        RocksDb? db = null;
        try
        {
            Directory.CreateDirectory(path);
            DbOptions dbOptions = new DbOptions()
                .SetCreateIfMissing(true)
                .SetCreateMissingColumnFamilies(true)
                .SetKeepLogFileNum(2)
                .SetMaxLogFileSize(1 << 20)
                // One memtable budget for all six column families together. By default each
                // family may hold two 64 MiB write buffers, which with 1 M notifications kept
                // ~450 MB resident (docs/BENCHMARKS.md "Node"); DESIGN.md allows 400 MB in all.
                .SetDbWriteBufferSize(MemtableBudget);
            var families = new ColumnFamilies();
            var known = new HashSet<string>(StringComparer.Ordinal) { ColumnFamilies.DefaultName };
            foreach (string name in StoreSchema.ColumnFamilies)
            {
                families.Add(name, FamilyOptions(name));
                known.Add(name);
            }
            // RocksDB opens only with every family present on disk; a later schema's extra ones
            // are opened too, and the schema check below decides whether we may use the store.
            if (RocksDb.TryListColumnFamilies(dbOptions, path, out string[] existing))
            {
                foreach (string name in existing.Where(n => !known.Contains(n)))
                {
                    families.Add(name, new ColumnFamilyOptions());
                }
            }
            db = RocksDb.Open(dbOptions, path, families);
            var store = new RocksDbNotificationStore(db, options, logger);
            store.CheckSchema();
            store.LoadCounters();
            store.RefreshLeastWorth();
            logger.StoreOpened(path, store._count, store._bytes);
            return store;
        }
        catch (Exception ex) when (ex is RocksDbSharpException or IOException or UnauthorizedAccessException)
        {
            db?.Dispose();
            throw new StoreUnavailableException($"cannot open the store in {path}: {ex.Message}", ex);
        }
    }

    private static ColumnFamilyOptions FamilyOptions(string name)
    {
        var options = new ColumnFamilyOptions();
        if (name == StoreSchema.Notifications)
        {
            // Dedupe asks "is this hash stored?" for every incoming notification, mostly "no".
            options.SetBlockBasedTableFactory(new BlockBasedTableOptions().SetFilterPolicy(BloomFilterPolicy.Create(10, false)));
        }
        return options;
    }

    private void CheckSchema()
    {
        ColumnFamilyHandle meta = _cf[StoreSchema.Meta];
        byte[]? stored = _db.Get(StoreSchema.SchemaKey, meta);
        uint version = stored is null ? StoreSchema.Version : stored.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(stored) : uint.MaxValue;
        if (version > StoreSchema.Version)
        {
            throw new IOException($"the store has schema version {version}; this node understands up to {StoreSchema.Version}");
        }
        if (version < 2)
        {
            RebuildWorthIndex();
        }
        if (stored is null || version < StoreSchema.Version)
        {
            Span<byte> v = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v, StoreSchema.Version);
            _db.Put(StoreSchema.SchemaKey, v, meta, _writeOptions);
        }
    }

    /// <summary>
    /// Schema 1 → 2: builds <c>by_worth</c> from the notifications. Whatever the family held is
    /// cleared first, and the schema version is raised only after the last batch is synced, so a
    /// migration cut short by kill -9 simply runs again on the next open.
    /// </summary>
    private void RebuildWorthIndex()
    {
        const int BatchSize = 10_000;
        ColumnFamilyHandle byWorth = _cf[StoreSchema.ByWorth];
        var batch = new WriteBatch();
        int pending = 0;
        void Flush()
        {
            _db.Write(batch, _writeOptions);
            batch.Dispose();
            batch = new WriteBatch();
            pending = 0;
        }
        try
        {
            using (Iterator it = _db.NewIterator(byWorth))
            {
                for (it.SeekToFirst(); it.Valid(); it.Next())
                {
                    batch.Delete(it.Key(), byWorth);
                    if (++pending == BatchSize)
                    {
                        Flush();
                    }
                }
            }
            Flush();
            long rebuilt = 0;
            Span<byte> key = stackalloc byte[StoreSchema.ByWorthKeySize];
            using (Iterator it = _db.NewIterator(_cf[StoreSchema.Notifications]))
            {
                for (it.SeekToFirst(); it.Valid(); it.Next())
                {
                    NotificationHash hash = NotificationHash.FromBytes(it.GetKeySpan());
                    byte[] value = it.Value();
                    StoreSchema.WriteByWorth(key, StoredEntry.Of(Decode(hash, value), hash, value.Length));
                    batch.Put(key, ReadOnlySpan<byte>.Empty, byWorth);
                    rebuilt++;
                    if (++pending == BatchSize)
                    {
                        Flush();
                    }
                }
            }
            Flush();
            _logger.WorthIndexRebuilt(rebuilt);
        }
        finally
        {
            batch.Dispose();
        }
    }

    private void LoadCounters()
    {
        ColumnFamilyHandle meta = _cf[StoreSchema.Meta];
        _count = (long)ReadU64(_db.Get(StoreSchema.CountKey, meta));
        _bytes = (long)ReadU64(_db.Get(StoreSchema.BytesKey, meta));
    }

    private static ulong ReadU64(byte[]? bytes) => bytes is { Length: 8 } ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;

    public StoreStatistics Statistics
    {
        get
        {
            long disk = 0;
            Guard(() =>
            {
                foreach (ColumnFamilyHandle cf in _cf.Values)
                {
                    string? value = _db.GetProperty("rocksdb.total-sst-files-size", cf);
                    if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
                    {
                        disk += size;
                    }
                }
                return 0;
            });
            return new StoreStatistics(Interlocked.Read(ref _count), Interlocked.Read(ref _bytes), disk);
        }
    }

    public bool Contains(NotificationHash hash) => Guard(() => ContainsCore(hash));

    public Notification? Get(NotificationHash hash) => Guard(() => Load(hash));

    private bool ContainsCore(NotificationHash hash)
    {
        Span<byte> key = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(key);
        return _db.HasKey(key, _cf[StoreSchema.Notifications]);
    }

    private Notification? Load(NotificationHash hash)
    {
        Span<byte> key = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(key);
        byte[]? bytes = _db.Get(key, _cf[StoreSchema.Notifications]);
        return bytes is null ? null : Decode(hash, bytes);
    }

    private static Notification Decode(NotificationHash hash, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return NotificationProtobuf.Decode(bytes);
        }
        catch (NnrpFormatException ex)
        {
            throw new StoreUnavailableException($"stored notification {hash} does not decode: {ex.Message}", ex);
        }
    }

    public IReadOnlyList<StoreOutcome> Put(IReadOnlyList<Notification> notifications)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        return Guard(() =>
        {
            lock (_writeLock)
            {
                return PutLocked(notifications);
            }
        });
    }

    private StoreOutcome[] PutLocked(IReadOnlyList<Notification> notifications)
    {
        var outcomes = new StoreOutcome[notifications.Count];
        using var batch = new WriteBatch();
        var change = new BatchChange(this, batch);
        var fresh = new List<(int Index, StoredEntry Entry, byte[] Encoded)>(notifications.Count);
        var seen = new HashSet<NotificationHash>();
        for (int i = 0; i < notifications.Count; i++)
        {
            Notification n = notifications[i];
            NotificationHash hash = n.Hash;
            if (!seen.Add(hash) || ContainsCore(hash))
            {
                outcomes[i] = StoreOutcome.Duplicate;
                continue;
            }
            byte[] encoded = NotificationProtobuf.Encode(n);
            fresh.Add((i, StoredEntry.Of(n, hash, encoded.Length), encoded));
        }
        // NNRP.md §6.4: the per-tag cap first, then the global cap over what is left.
        var survivors = new List<(int Index, StoredEntry Entry, byte[] Encoded)>(fresh.Count);
        foreach (IGrouping<RecipientTag, (int Index, StoredEntry Entry, byte[] Encoded)> group in fresh.GroupBy(f => f.Entry.Tag))
        {
            HashSet<NotificationHash> refused = ApplyTagCap(change, group.Key, group.Select(g => g.Entry).ToList());
            foreach ((int index, StoredEntry entry, byte[] encoded) in group)
            {
                if (refused.Contains(entry.Hash))
                {
                    outcomes[index] = StoreOutcome.TagFull;
                }
                else
                {
                    survivors.Add((index, entry, encoded));
                }
            }
        }
        HashSet<NotificationHash> full = ApplyGlobalCap(change, survivors.ConvertAll(s => s.Entry));
        foreach ((int index, StoredEntry entry, byte[] encoded) in survivors)
        {
            if (full.Contains(entry.Hash))
            {
                outcomes[index] = StoreOutcome.StoreFull;
            }
            else
            {
                change.Add(entry, encoded);
                outcomes[index] = StoreOutcome.Stored;
            }
        }
        if (change.HasChanges)
        {
            change.WriteCounters();
            _db.Write(batch, _writeOptions);
            change.Commit();
        }
        return outcomes;
    }

    /// <summary>
    /// Issue 6 item 1: a tag holds at most <see cref="StoreOptions.PerTagCap"/>; the lowest work
    /// values go first, the oldest among equals, whether stored or arriving. Returns the new
    /// notifications that lose (they are refused, not stored).
    /// </summary>
    private HashSet<NotificationHash> ApplyTagCap(BatchChange change, RecipientTag tag, List<StoredEntry> incoming)
    {
        int overflow = change.TagCount(tag) + incoming.Count - _options.PerTagCap;
        return overflow <= 0 ? [] : StoreCaps.ApplyTagCap(overflow, LowestOfTag(tag, overflow, change), incoming, e => change.Delete(e));
    }

    private List<StoredEntry> LowestOfTag(RecipientTag tag, int count, BatchChange change)
    {
        var result = new List<StoredEntry>(count);
        byte[] prefix = tag.ToArray();
        using Iterator it = _db.NewIterator(_cf[StoreSchema.ByTagValue]);
        for (it.Seek(prefix); it.Valid() && result.Count < count; it.Next())
        {
            ReadOnlySpan<byte> key = it.GetKeySpan();
            if (!key.StartsWith(prefix))
            {
                break;
            }
            NotificationHash hash = StoreSchema.ReadHash(key[(RecipientTag.Size + 8)..]);
            if (!change.IsDeleted(hash) && LoadEntry(hash) is { } entry)
            {
                result.Add(entry);
            }
        }
        return result;
    }

    /// <summary>
    /// NNRP.md §6.4: over <see cref="StoreOptions.MaxBytes"/>, the least work per byte goes first,
    /// whether stored or arriving (an arrival loses a tie). Walks <c>by_worth</c> from its start
    /// only as far as it must, so eviction never scans. Returns the arrivals refused.
    /// </summary>
    private HashSet<NotificationHash> ApplyGlobalCap(BatchChange change, List<StoredEntry> incoming)
    {
        long total = _bytes + change.BytesDelta + incoming.Sum(e => (long)e.Size);
        if (total <= _options.MaxBytes)
        {
            return [];
        }
        (HashSet<NotificationHash> refused, int evicted) = StoreCaps.ApplyGlobalCap(total, _options.MaxBytes, LeastWorthFirst(change), incoming,
            e => change.Delete(e));
        if (evicted > 0)
        {
            _logger.GlobalCapEvicted(evicted, _options.MaxBytes);
        }
        return refused;
    }

    /// <summary>The stored notifications in <c>by_worth</c> order, skipping any this batch already deletes.</summary>
    private IEnumerable<StoredEntry> LeastWorthFirst(BatchChange change)
    {
        using Iterator it = _db.NewIterator(_cf[StoreSchema.ByWorth]);
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            NotificationHash hash = StoreSchema.ReadHash(StoreSchema.WorthTimeHash(it.GetKeySpan()));
            if (!change.IsDeleted(hash) && LoadEntry(hash) is { } entry)
            {
                yield return entry;
            }
        }
    }

    public StoreFloor? Floor
    {
        get
        {
            lock (_floorLock)
            {
                return new StoreFloor(Interlocked.Read(ref _bytes), _options.MaxBytes, _leastWorthCost);
            }
        }
    }

    public ulong? LowestValueOf(RecipientTag tag) => Guard(() =>
    {
        // by_tag_value is tag ‖ value ‖ …: the first key under the tag holds its lowest value.
        byte[] prefix = tag.ToArray();
        using Iterator it = _db.NewIterator(_cf[StoreSchema.ByTagValue]);
        it.Seek(prefix);
        return it.Valid() && it.GetKeySpan().StartsWith(prefix)
            ? BinaryPrimitives.ReadUInt64BigEndian(it.GetKeySpan()[RecipientTag.Size..])
            : (ulong?)null;
    });

    /// <summary>Re-reads the first <c>by_worth</c> key after a write (one seek), for <see cref="Floor"/>.</summary>
    private void RefreshLeastWorth()
    {
        using Iterator it = _db.NewIterator(_cf[StoreSchema.ByWorth]);
        it.SeekToFirst();
        UInt128 cost = it.Valid() ? StoreSchema.ReadWorthCost(it.GetKeySpan()) : 0;
        lock (_floorLock)
        {
            _leastWorthCost = cost;
        }
    }

    private StoredEntry? LoadEntry(NotificationHash hash)
    {
        Span<byte> key = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(key);
        byte[]? bytes = _db.Get(key, _cf[StoreSchema.Notifications]);
        return bytes is null ? null : StoredEntry.Of(Decode(hash, bytes), hash, bytes.Length);
    }

    public int SweepExpired(ulong now, int maxItems) => Guard(() =>
    {
        lock (_writeLock)
        {
            using var batch = new WriteBatch();
            var change = new BatchChange(this, batch);
            int swept = 0;
            using (Iterator it = _db.NewIterator(_cf[StoreSchema.ByExpiry]))
            {
                for (it.SeekToFirst(); it.Valid() && swept < maxItems; it.Next())
                {
                    ReadOnlySpan<byte> key = it.GetKeySpan();
                    // NNRP.md §5: expired once timestamp + ttl ≤ now.
                    if (StoreSchema.ReadTime(key) > now)
                    {
                        break;
                    }
                    NotificationHash hash = StoreSchema.ReadHash(key);
                    if (LoadEntry(hash) is { } entry)
                    {
                        change.Delete(entry);
                    }
                    else
                    {
                        batch.Delete(key, _cf[StoreSchema.ByExpiry]);
                    }
                    swept++;
                }
            }
            if (swept > 0)
            {
                change.WriteCounters();
                _db.Write(batch, _writeOptions);
                change.Commit();
            }
            return swept;
        }
    });

    public int DropTags(Func<RecipientTag, bool> drop, int maxItems) => Guard(() =>
    {
        ArgumentNullException.ThrowIfNull(drop);
        lock (_writeLock)
        {
            using var batch = new WriteBatch();
            var change = new BatchChange(this, batch);
            int dropped = 0;
            // by_time carries each key's tag as its value: one walk, no point lookup per kept item.
            using (Iterator it = _db.NewIterator(_cf[StoreSchema.ByTime]))
            {
                for (it.SeekToFirst(); it.Valid() && dropped < maxItems; it.Next())
                {
                    ReadOnlySpan<byte> tag = it.GetValueSpan();
                    if (tag.Length != RecipientTag.Size || !drop(RecipientTag.FromBytes(tag)))
                    {
                        continue;
                    }
                    if (LoadEntry(StoreSchema.ReadHash(it.GetKeySpan())) is { } entry && !change.IsDeleted(entry.Hash))
                    {
                        change.Delete(entry);
                        dropped++;
                    }
                }
            }
            if (dropped > 0)
            {
                change.WriteCounters();
                _db.Write(batch, _writeOptions);
                change.Commit();
            }
            return dropped;
        }
    });

    public NotificationPage Fetch(FetchQuery query, ulong now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = new List<Notification>(Math.Min(query.Limit, 64));
        ReadOnlyMemory<byte> next = Fetch(query, (hash, stored) =>
        {
            Notification? n = stored.IsEmpty ? Load(hash) : Decode(hash, stored);
            if (n is not null && n.ExpiresAt > now)
            {
                page.Add(n);
                return true;
            }
            return false;
        });
        return new NotificationPage(page, next);
    }

    /// <summary>
    /// The page <see cref="Fetch"/> returns, as the stored protobuf bytes: each value is copied
    /// from the buffer RocksDB returns into the page's pooled buffer, expiry and payload length
    /// read from the bytes (<see cref="EncodedFields"/>); nothing is decoded, re-encoded or
    /// allocated on the managed heap per item. An exact-tag fetch reads the bytes from the
    /// <c>by_tag</c> entry it walks (<see cref="StoreSchema"/>), one iterator step per item; only
    /// an entry written before the index carried them costs a point lookup.
    /// </summary>
    public EncodedPage FetchEncoded(FetchQuery query, ulong now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = new EncodedPage();
        try
        {
            var reader = new EncodedReader(page, now);
            ColumnFamilyHandle notifications = _cf[StoreSchema.Notifications];
            byte[] key = new byte[NotificationHash.Size];
            page.NextCursor = Fetch(query, (hash, stored) =>
            {
                if (!stored.IsEmpty)
                {
                    return reader.Deserialize(stored);
                }
                hash.CopyTo(key);
                return _db.Get(key, reader, notifications);
            });
            return page;
        }
        catch
        {
            page.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends a value RocksDB hands over (pinned, no managed copy) to a page unless expired;
    /// true when appended. A missing key yields default, false.
    /// </summary>
    private sealed class EncodedReader(EncodedPage page, ulong now) : ISpanDeserializer<bool>
    {
        public bool Deserialize(ReadOnlySpan<byte> buffer)
        {
            StoredFields fields;
            try
            {
                fields = EncodedFields.Read(buffer);
            }
            catch (NnrpFormatException ex)
            {
                throw new StoreUnavailableException($"a stored notification does not decode: {ex.Message}", ex);
            }
            if (fields.ExpiresAt <= now)
            {
                return false;
            }
            page.Add(buffer, fields.PayloadLength);
            return true;
        }
    }

    /// <summary>
    /// Loads one index hit onto a page; true when it went on the page. <paramref name="stored"/> is
    /// the notification's §3.4 bytes when the index entry carries them (<c>by_tag</c>), else empty.
    /// </summary>
    private delegate bool Take(NotificationHash hash, ReadOnlySpan<byte> stored);

    /// <summary>Picks the index for <paramref name="query"/> and scans it.</summary>
    private ReadOnlyMemory<byte> Fetch(FetchQuery query, Take take)
    {
        ArgumentNullException.ThrowIfNull(query);
        FetchCursor? cursor = FetchCursor.Parse(query.Cursor.Span);
        return Guard(() =>
        {
            ReadOnlySpan<byte> prefix = query.PrefixBytes.Span;
            if (query.PrefixBits == FetchQuery.ExactBits)
            {
                return Scan(_cf[StoreSchema.ByTag], prefix.ToArray(), null, query, cursor, take);
            }
            if (query.PrefixBits >= 8)
            {
                return Scan(_cf[StoreSchema.ByShard8], [prefix[0]], query, query, cursor, take);
            }
            return Scan(_cf[StoreSchema.ByTime], [], query, query, cursor, take);
        });
    }

    /// <summary>
    /// Walks one index of layout <c>bucket ‖ timestamp ‖ hash</c> from max(since, cursor), keeping
    /// entries whose tag (the entry's value) matches <paramref name="filter"/>, until the page is
    /// full or <see cref="StoreOptions.MaxScanPerPage"/> entries were examined. Returns the next cursor.
    /// Without a filter the index is <c>by_tag</c>, whose values are the stored bytes (or empty).
    /// </summary>
    private ReadOnlyMemory<byte> Scan(ColumnFamilyHandle index, byte[] bucket, FetchQuery? filter, FetchQuery query, FetchCursor? cursor,
        Take take)
    {
        var start = new byte[bucket.Length + 8 + NotificationHash.Size];
        bucket.CopyTo(start, 0);
        bool afterCursor = cursor is { } c && c.Timestamp >= query.Since;
        if (afterCursor)
        {
            StoreSchema.WriteTimeHash(start.AsSpan(bucket.Length), cursor!.Value.Timestamp, cursor.Value.Hash);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(start.AsSpan(bucket.Length), query.Since);
        }
        int taken = 0;
        FetchCursor? last = null;
        bool more = false;
        int scanned = 0;
        using Iterator it = _db.NewIterator(index);
        it.Seek(start);
        if (afterCursor && it.Valid() && it.GetKeySpan().SequenceEqual(start))
        {
            it.Next();
        }
        while (it.Valid())
        {
            ReadOnlySpan<byte> key = it.GetKeySpan();
            if (!key.StartsWith(bucket))
            {
                break;
            }
            ReadOnlySpan<byte> tail = key[bucket.Length..];
            NotificationHash hash = StoreSchema.ReadHash(tail);
            last = new FetchCursor(StoreSchema.ReadTime(tail), hash);
            scanned++;
            bool onPage = filter is null
                ? take(hash, it.GetValueSpan())
                : filter.Matches(RecipientTag.FromBytes(it.GetValueSpan())) && take(hash, ReadOnlySpan<byte>.Empty);
            if (onPage)
            {
                taken++;
            }
            it.Next();
            if (taken >= query.Limit || scanned >= _options.MaxScanPerPage)
            {
                more = it.Valid() && it.GetKeySpan().StartsWith(bucket);
                break;
            }
        }
        return more && last is { } l ? l.ToBytes() : ReadOnlyMemory<byte>.Empty;
    }

    public int ReadTimeIndex(TimeKey from, int max, List<TimeKey> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Guard(() =>
        {
            // Keys only: by_time is timestamp:8 BE ‖ hash:32, already in sync order.
            var start = new byte[StoreSchema.ByTimeKeySize];
            StoreSchema.WriteTimeHash(start, from.Timestamp, from.Hash);
            int read = 0;
            using Iterator it = _db.NewIterator(_cf[StoreSchema.ByTime]);
            for (it.Seek(start); it.Valid() && read < max; it.Next())
            {
                ReadOnlySpan<byte> key = it.GetKeySpan();
                destination.Add(new TimeKey(StoreSchema.ReadTime(key), StoreSchema.ReadHash(key)));
                read++;
            }
            return read;
        });
    }

    public int ReadTimeIndex(TimeKey from, int max, List<TaggedTimeKey> destination, byte? firstByte)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Guard(() =>
        {
            // by_time: timestamp:8 ‖ hash:32 → tag:32; by_shard8: tag[0]:1 ‖ timestamp:8 ‖ hash:32 → tag:32.
            // The tag is the value, so the shard filter needs no point lookup (NNRP.md §11.8.8).
            int skip = firstByte is null ? 0 : 1;
            var start = new byte[skip + StoreSchema.ByTimeKeySize];
            if (firstByte is { } first)
            {
                start[0] = first;
            }
            StoreSchema.WriteTimeHash(start.AsSpan(skip), from.Timestamp, from.Hash);
            int read = 0;
            using Iterator it = _db.NewIterator(_cf[firstByte is null ? StoreSchema.ByTime : StoreSchema.ByShard8]);
            for (it.Seek(start); it.Valid() && read < max; it.Next())
            {
                ReadOnlySpan<byte> key = it.GetKeySpan();
                if (firstByte is { } bucket && key[0] != bucket)
                {
                    break;
                }
                ReadOnlySpan<byte> tag = it.GetValueSpan();
                ushort top16 = tag.Length >= 2 ? (ushort)((tag[0] << 8) | tag[1]) : (ushort)0;
                key = key[skip..];
                destination.Add(new TaggedTimeKey(new TimeKey(StoreSchema.ReadTime(key), StoreSchema.ReadHash(key)), top16));
                read++;
            }
            return read;
        });
    }

    private T Guard<T>(Func<T> action)
    {
        _lifetime.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action();
        }
        catch (ObjectDisposedException ex)
        {
            throw new StoreUnavailableException("the store is closed", ex);
        }
        catch (RocksDbSharpException ex)
        {
            _logger.StoreFailed(ex.Message);
            throw new StoreUnavailableException("the store failed: " + ex.Message, ex);
        }
        finally
        {
            _lifetime.ExitReadLock();
        }
    }

    public void Dispose()
    {
        _lifetime.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _db.Dispose();
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
        _logger.StoreClosed(_db.Path);
    }
}
