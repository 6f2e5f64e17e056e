using RocksDbSharp;

namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>
/// Provider records in RocksDB, column family <c>providers</c> (layout in
/// <see cref="ProviderRecordCodec"/>). Records are soft state — providers republish every 22 h
/// and expire after 48 h — so writes go through the WAL without a per-write fsync: a crash
/// loses at most the last moments of announcements, which the next republish restores.
/// </summary>
public sealed class RocksDbProviderStore : IProviderStore
{
    public const string ColumnFamilyName = "providers";

    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _cf;
    private readonly bool _ownsDb;
    private readonly Lock _writeLock = new();

    /// <summary>Uses an already open database (the node's store) that has the <c>providers</c> column family.</summary>
    public RocksDbProviderStore(RocksDb db, int maxProvidersPerKey = KadOptions.DefaultMaxProvidersPerKey)
        : this(db, maxProvidersPerKey, ownsDb: false)
    {
    }

    private RocksDbProviderStore(RocksDb db, int maxProvidersPerKey, bool ownsDb)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxProvidersPerKey, 1);
        _db = db;
        _cf = db.GetColumnFamily(ColumnFamilyName);
        _ownsDb = ownsDb;
        MaxProvidersPerKey = maxProvidersPerKey;
    }

    /// <summary>Opens (creating if needed) a database at <paramref name="path"/> of its own.</summary>
    public static RocksDbProviderStore Open(string path, int maxProvidersPerKey = KadOptions.DefaultMaxProvidersPerKey)
    {
        var options = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true);
        var families = new ColumnFamilies { { ColumnFamilyName, new ColumnFamilyOptions() } };
        return new RocksDbProviderStore(RocksDb.Open(options, path, families), maxProvidersPerKey, ownsDb: true);
    }

    public int MaxProvidersPerKey { get; }

    public ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(provider);
        byte[] prefix = ProviderRecordCodec.Prefix(key);
        byte[] row = ProviderRecordCodec.RowKey(prefix, provider);
        // Count-then-put must not interleave with another add for the same key.
        lock (_writeLock)
        {
            bool renewed = _db.Get(row, _cf) is not null;
            if (!renewed && CountLive(prefix, now) >= MaxProvidersPerKey)
            {
                return ProviderAddResult.KeyFull;
            }
            _db.Put(row, ProviderRecordCodec.EncodeValue(provider, expiresAt), _cf);
            return renewed ? ProviderAddResult.Renewed : ProviderAddResult.Added;
        }
    }

    public IReadOnlyList<ProviderRecord> Get(ReadOnlySpan<byte> key, DateTimeOffset now, int max)
    {
        byte[] prefix = ProviderRecordCodec.Prefix(key);
        var records = new List<ProviderRecord>();
        using Iterator it = _db.NewIterator(_cf);
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            byte[] row = it.Key();
            if (!row.AsSpan().StartsWith(prefix))
            {
                break;
            }
            if (ProviderRecordCodec.Decode(row, it.Value()) is { } record && record.ExpiresAt > now)
            {
                records.Add(record);
            }
        }
        return records.OrderByDescending(static r => r.ExpiresAt).Take(max).ToArray();
    }

    /// <summary>
    /// One pass over the column family; damaged rows go too. Holds the write lock so a record
    /// renewed during the pass is not deleted on the strength of its old expiry.
    /// </summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        lock (_writeLock)
        {
            int removed = 0;
            using var batch = new WriteBatch();
            using (Iterator it = _db.NewIterator(_cf))
            {
                for (it.SeekToFirst(); it.Valid(); it.Next())
                {
                    byte[] value = it.Value();
                    if (value.Length < 8 || ProviderRecordCodec.ReadExpiry(value) <= now)
                    {
                        batch.Delete(it.Key(), _cf);
                        removed++;
                    }
                }
            }
            if (removed > 0)
            {
                _db.Write(batch);
            }
            return removed;
        }
    }

    private int CountLive(byte[] prefix, DateTimeOffset now)
    {
        int count = 0;
        using Iterator it = _db.NewIterator(_cf);
        for (it.Seek(prefix); it.Valid() && it.Key().AsSpan().StartsWith(prefix); it.Next())
        {
            byte[] value = it.Value();
            if (value.Length >= 8 && ProviderRecordCodec.ReadExpiry(value) > now)
            {
                count++;
            }
        }
        return count;
    }

    public void Dispose()
    {
        if (_ownsDb)
        {
            _db.Dispose();
        }
    }
}
