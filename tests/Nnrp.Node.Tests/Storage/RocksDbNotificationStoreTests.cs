using System.Buffers.Binary;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using RocksDbSharp;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

/// <summary>
/// The store rules against RocksDB, each store in its own temp directory, with its column
/// families checked after every rule; then what only a database on disk keeps (reopening,
/// schema versions and migration, the byte layout of its keys). Crash safety: <see cref="CrashTests"/>.
/// </summary>
public sealed class RocksDbNotificationStoreTests : NotificationStoreRules
{
    private readonly List<TempDirectory> _directories = [];

    protected override INotificationStore Open(StoreOptions options)
    {
        var directory = new TempDirectory();
        _directories.Add(directory);
        return RocksDbNotificationStore.Open(Path.Combine(directory.Path, "store"), options);
    }

    protected override IReadOnlyList<string> InternalProblems(INotificationStore store) =>
        ((RocksDbNotificationStore)store).CheckConsistency();

    public override void Dispose()
    {
        base.Dispose();
        _directories.ForEach(d => d.Dispose());
    }

    [Fact]
    public void Reopened_store_keeps_notifications_and_totals()
    {
        using var f = new StoreFixture();
        Notification[] all = Enumerable.Range(0, 50).Select(_ => Make()).ToArray();
        f.Store.Put(all);
        StoreStatistics before = f.Store.Statistics;
        f.Reopen();
        Assert.Equal(before.Count, f.Store.Statistics.Count);
        Assert.Equal(before.Bytes, f.Store.Statistics.Bytes);
        Assert.All(all, n => Assert.True(f.Store.Contains(n.Hash)));
        f.AssertConsistent();
    }

    [Fact]
    public void Store_written_by_a_newer_schema_is_refused()
    {
        using var f = new StoreFixture();
        f.Store.Dispose();
        using (var db = RocksDbSharp.RocksDb.Open(new RocksDbSharp.DbOptions(), f.Path, StoreColumnFamilies()))
        {
            db.Put("schema"u8, [0, 0, 0, 99], db.GetColumnFamily("meta"));
        }
        var ex = Assert.Throws<StoreUnavailableException>(() => RocksDbNotificationStore.Open(f.Path));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_version_is_recorded_in_meta()
    {
        using var f = new StoreFixture();
        f.Store.Dispose();
        using (var db = RocksDbSharp.RocksDb.Open(new RocksDbSharp.DbOptions(), f.Path, StoreColumnFamilies()))
        {
            Assert.Equal(new byte[] { 0, 0, 0, 2 }, db.Get("schema"u8, db.GetColumnFamily("meta")));
        }
        f.Reopen();
    }

    [Fact]
    public void A_path_that_is_a_file_is_refused_with_a_typed_error()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "not-a-dir");
        File.WriteAllText(file, "x");
        Assert.Throws<StoreUnavailableException>(() => RocksDbNotificationStore.Open(file));
    }

    [Fact]
    public void Floor_survives_a_restart()
    {
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 1 << 20 });
        f.Store.Put(Enumerable.Range(0, 50).Select(_ => Make(work: (ulong)Random.Shared.NextInt64())).ToArray());
        StoreFloor before = f.Store.Floor!.Value;
        Assert.NotEqual(UInt128.Zero, before.LeastWorthCost);
        f.Reopen();
        Assert.Equal(before, f.Store.Floor);
        f.AssertConsistent();
    }

    [Fact]
    public void A_schema_1_store_opens_with_its_worth_index_rebuilt()
    {
        Notification[] items = Enumerable.Range(0, 30).Select(_ => Make(payloadSize: 200, work: (ulong)Random.Shared.NextInt64())).ToArray();
        int size = Size(items[0]);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 30L * size });
        f.Store.Put(items);
        StoreFloor before = f.Store.Floor!.Value;
        f.Store.Dispose();
        DowngradeToSchema1(f.Path);

        f.Reopen();
        f.AssertConsistent();
        Assert.Equal(before, f.Store.Floor);
        Notification rich = Worth(Make(payloadSize: 200), 0xf000000000000000);
        Assert.Equal([StoreOutcome.Stored], f.Store.Put([rich]));
        Assert.False(f.Store.Contains(items.MinBy(n => n.WorkValue)!.Hash));
        f.AssertConsistent();
    }

    /// <summary>What a schema-1 node left: no by_worth family, version 1 in meta.</summary>
    private static void DowngradeToSchema1(string path)
    {
        var options = new DbOptions();
        var families = new ColumnFamilies();
        foreach (string name in RocksDb.ListColumnFamilies(options, path).Where(n => n != ColumnFamilies.DefaultName))
        {
            families.Add(name, new ColumnFamilyOptions());
        }
        using RocksDb db = RocksDb.Open(options, path, families);
        db.DropColumnFamily(StoreSchema.ByWorth);
        var version = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(version, 1);
        db.Put(StoreSchema.SchemaKey.ToArray(), version, db.GetColumnFamily(StoreSchema.Meta));
    }

    [Fact]
    public void Order_key_sorts_by_cost_then_expiry_then_hash()
    {
        RecipientTag tag = RandomTag();
        NotificationHash h1 = Make().Hash, h2 = Make().Hash;
        (NotificationHash low, NotificationHash high) = h1.CompareTo(h2) < 0 ? (h1, h2) : (h2, h1);
        StoredEntry E(ulong value, int size, ulong expires, NotificationHash hash) => new(hash, tag, 1, expires, value, size);
        byte[] Key(StoredEntry e)
        {
            var key = new byte[StoreSchema.ByWorthKeySize];
            StoreSchema.WriteByWorth(key, e);
            Assert.Equal(e.Cost, StoreSchema.ReadWorthCost(key));
            return key;
        }
        static int Cmp(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

        // Least work per byte first: a lower value, or the same value on more bytes.
        Assert.True(Cmp(Key(E(0x10, 100, 9, low)), Key(E(0x20, 100, 1, low))) < 0);
        Assert.True(Cmp(Key(E(0x20, 200, 9, low)), Key(E(0x20, 100, 1, low))) < 0);
        // Equal cost (2^64−v)×size: the earliest expiry, then the lowest hash.
        ulong v1 = 0x8000000000000000, v2 = 0xc000000000000000; // (2^63)×100 = (2^62)×200
        Assert.Equal(E(v1, 100, 5, low).Cost, E(v2, 200, 5, low).Cost);
        Assert.True(Cmp(Key(E(v2, 200, 4, high)), Key(E(v1, 100, 5, low))) < 0);
        Assert.True(Cmp(Key(E(v1, 100, 5, low)), Key(E(v2, 200, 5, high))) < 0);
    }

    private static RocksDbSharp.ColumnFamilies StoreColumnFamilies()
    {
        var families = new RocksDbSharp.ColumnFamilies();
        foreach (string name in StoreSchema.ColumnFamilies)
        {
            families.Add(name, new RocksDbSharp.ColumnFamilyOptions());
        }
        return families;
    }
}
