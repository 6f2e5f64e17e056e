using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using RocksDbSharp;

namespace Nnrp.Node.Providers;

/// <summary>
/// Provider records in RocksDB, column family <c>providers</c> (layout in
/// <see cref="ProviderRecordCodec"/>). Records are soft state — providers republish every 22 h
/// and expire after 48 h — so writes go through the WAL without a per-write fsync: a crash
/// loses at most the last moments of announcements, which the next republish restores.
/// Admission (quotas, eviction) is decided by a <see cref="ProviderLedger"/> rebuilt from the
/// column family when the store opens; the write lock keeps ledger and rows in step.
/// </summary>
public sealed class RocksDbProviderStore : IProviderStore
{
    public const string ColumnFamilyName = "providers";

    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _cf;
    private readonly bool _ownsDb;
    private readonly ProviderLedger _ledger;
    private readonly Lock _writeLock = new();
    // Calls hold it shared, Dispose exclusively. The database is usually the node's store's, closed
    // after this object: a Kad request still in flight when the node stops must find this store
    // closed (ObjectDisposedException) rather than reach a closed RocksDB handle — a native call
    // on one dereferences null and kills the process (SIGSEGV in librocksdb, seen in make test).
    private readonly ReaderWriterLockSlim _lifetime = new(LockRecursionPolicy.NoRecursion);
    private bool _disposed;

    /// <summary>Uses an already open database (the node's store) that has the <c>providers</c> column family.</summary>
    public RocksDbProviderStore(RocksDb db, ProviderQuotas? quotas = null)
        : this(db, quotas ?? new ProviderQuotas(), ownsDb: false)
    {
    }

    private RocksDbProviderStore(RocksDb db, ProviderQuotas quotas, bool ownsDb)
    {
        ArgumentNullException.ThrowIfNull(db);
        _ledger = new ProviderLedger(quotas);
        _db = db;
        _cf = db.GetColumnFamily(ColumnFamilyName);
        _ownsDb = ownsDb;
        Quotas = quotas;
        Load();
    }

    /// <summary>Opens (creating if needed) a database at <paramref name="path"/> of its own.</summary>
    public static RocksDbProviderStore Open(string path, ProviderQuotas? quotas = null)
    {
        var options = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true);
        var families = new ColumnFamilies { { ColumnFamilyName, new ColumnFamilyOptions() } };
        return new RocksDbProviderStore(RocksDb.Open(options, path, families), quotas ?? new ProviderQuotas(), ownsDb: true);
    }

    public ProviderQuotas Quotas { get; }

    public int Count => _ledger.Count;

    public long Bytes => _ledger.Bytes;

    public ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now, ProviderAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(provider);
        byte[] prefix = ProviderRecordCodec.Prefix(key);
        var evicted = new List<ProviderLedger.Entry>();
        using Hold hold = Enter();
        lock (_writeLock)
        {
            ProviderAddResult result = _ledger.Admit(KadKey.FromDigest(prefix), provider, expiresAt, ProviderRecordCodec.StoredSize(provider), now, admission, evicted);
            using var batch = new WriteBatch();
            foreach (ProviderLedger.Entry gone in evicted)
            {
                batch.Delete(ProviderRecordCodec.RowKey(gone.Key.ToBytes(), gone.ProviderId), _cf);
            }
            if (result is ProviderAddResult.Added or ProviderAddResult.Renewed)
            {
                batch.Put(ProviderRecordCodec.RowKey(prefix, provider.Id.Span), ProviderRecordCodec.EncodeValue(provider, expiresAt), _cf);
            }
            if (batch.Count() > 0)
            {
                _db.Write(batch);
            }
            return result;
        }
    }

    public IReadOnlyList<ProviderRecord> Get(ReadOnlySpan<byte> key, DateTimeOffset now, int max)
    {
        byte[] prefix = ProviderRecordCodec.Prefix(key);
        var records = new List<ProviderRecord>();
        using Hold hold = Enter();
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
        using Hold hold = Enter();
        lock (_writeLock)
        {
            return Sweep(now, load: false);
        }
    }

    /// <summary>
    /// Rebuilds the ledger from the rows at open; damaged rows are deleted. Expired rows are
    /// indexed too (the store has no clock): admission displaces them first, the sweep deletes them.
    /// </summary>
    private void Load()
    {
        lock (_writeLock)
        {
            Sweep(DateTimeOffset.MinValue, load: true);
        }
    }

    private int Sweep(DateTimeOffset now, bool load)
    {
        int removed = 0;
        using var batch = new WriteBatch();
        using (Iterator it = _db.NewIterator(_cf))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                byte[] row = it.Key();
                byte[] value = it.Value();
                ProviderRecord? record = ProviderRecordCodec.Decode(row, value);
                if (record is null || record.ExpiresAt <= now)
                {
                    batch.Delete(row, _cf);
                    removed++;
                    if (!load && row.Length > ProviderRecordCodec.PrefixLength)
                    {
                        _ledger.Forget(KadKey.FromDigest(row.AsSpan(0, ProviderRecordCodec.PrefixLength)), KadKey.Hash(row.AsSpan(ProviderRecordCodec.PrefixLength)));
                    }
                }
                else if (load)
                {
                    _ledger.Load(KadKey.FromDigest(row.AsSpan(0, ProviderRecordCodec.PrefixLength)), record.Provider, record.ExpiresAt, row.Length + value.Length);
                }
            }
        }
        if (removed > 0)
        {
            _db.Write(batch);
        }
        return removed;
    }

    /// <summary>Waits for calls in progress, then refuses new ones; closes the database only if it opened it.</summary>
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
            if (_ownsDb)
            {
                _db.Dispose();
            }
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }

    private Hold Enter()
    {
        _lifetime.EnterReadLock();
        if (_disposed)
        {
            _lifetime.ExitReadLock();
            throw new ObjectDisposedException(nameof(RocksDbProviderStore), "the provider store is closed");
        }
        return new Hold(_lifetime);
    }

    /// <summary>A call's shared hold on the store's lifetime.</summary>
    private readonly struct Hold(ReaderWriterLockSlim lifetime) : IDisposable
    {
        public void Dispose() => lifetime.ExitReadLock();
    }
}
