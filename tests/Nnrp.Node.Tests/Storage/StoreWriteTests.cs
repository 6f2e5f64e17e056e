using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

public sealed class StoreWriteTests : IDisposable
{
    private readonly StoreFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Stored_notification_reads_back_with_all_index_entries()
    {
        Notification n = Make(work: 42);
        Assert.Equal([StoreOutcome.Stored], _f.Store.Put([n]));
        Notification? back = _f.Store.Get(n.Hash);
        Assert.NotNull(back);
        Assert.Equal(n.Hash, back.Hash);
        Assert.Equal(42UL, back.Work);
        Assert.True(_f.Store.Contains(n.Hash));
        Assert.Equal(1, _f.Store.Statistics.Count);
        _f.AssertConsistent();
    }

    [Fact]
    public void Duplicate_within_a_group_and_across_groups_is_stored_once()
    {
        Notification n = Make();
        Assert.Equal([StoreOutcome.Stored, StoreOutcome.Duplicate], _f.Store.Put([n, n.WithWork(7)]));
        Assert.Equal([StoreOutcome.Duplicate], _f.Store.Put([n]));
        Assert.Equal(1, _f.Store.Statistics.Count);
        _f.AssertConsistent();
    }

    [Fact]
    public void Reopened_store_keeps_notifications_and_totals()
    {
        Notification[] all = Enumerable.Range(0, 50).Select(_ => Make()).ToArray();
        _f.Store.Put(all);
        StoreStatistics before = _f.Store.Statistics;
        _f.Reopen();
        Assert.Equal(before.Count, _f.Store.Statistics.Count);
        Assert.Equal(before.Bytes, _f.Store.Statistics.Bytes);
        Assert.All(all, n => Assert.True(_f.Store.Contains(n.Hash)));
        _f.AssertConsistent();
    }

    [Fact]
    public void Store_written_by_a_newer_schema_is_refused()
    {
        _f.Store.Dispose();
        using (var db = RocksDbSharp.RocksDb.Open(new RocksDbSharp.DbOptions(), _f.Path, StoreColumnFamilies()))
        {
            db.Put("schema"u8, [0, 0, 0, 99], db.GetColumnFamily("meta"));
        }
        var ex = Assert.Throws<StoreUnavailableException>(() => RocksDbNotificationStore.Open(_f.Path));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_version_is_recorded_in_meta()
    {
        _f.Store.Dispose();
        using (var db = RocksDbSharp.RocksDb.Open(new RocksDbSharp.DbOptions(), _f.Path, StoreColumnFamilies()))
        {
            Assert.Equal(new byte[] { 0, 0, 0, 2 }, db.Get("schema"u8, db.GetColumnFamily("meta")));
        }
        _f.Reopen();
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
    public void Closed_store_refuses_with_a_typed_error()
    {
        _f.Store.Dispose();
        Assert.Throws<StoreUnavailableException>(() => _f.Store.Put([Make()]));
        Assert.Throws<StoreUnavailableException>(() => _f.Store.Contains(Make().Hash));
        _f.Reopen();
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
