using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

/// <summary>
/// The rules of <see cref="INotificationStore"/> every store keeps, run against RocksDB
/// (<see cref="RocksDbNotificationStoreTests"/>) and memory (<see cref="InMemoryNotificationStoreTests"/>):
/// whatever a node can observe through the interface must be the same for both.
/// </summary>
public abstract partial class NotificationStoreRules : IDisposable
{
    private readonly List<INotificationStore> _opened = [];
    private INotificationStore? _store;

    /// <summary>A new, empty store of the kind under test; the rules dispose it.</summary>
    protected abstract INotificationStore Open(StoreOptions options);

    /// <summary>What the kind keeps beyond the interface and finds inconsistent (RocksDB: its column families); empty when none.</summary>
    protected virtual IReadOnlyList<string> InternalProblems(INotificationStore store) => [];

    /// <summary>A store with the default options, opened on first use.</summary>
    protected INotificationStore Store => _store ??= Create();

    protected INotificationStore Create(StoreOptions? options = null)
    {
        INotificationStore store = Open(options ?? new StoreOptions());
        _opened.Add(store);
        return store;
    }

    /// <summary>
    /// What the store answers agrees with itself: every key of the time index reads back, the
    /// totals, the pricing floor (§6.4) and each tag's lowest value are those of what it holds.
    /// </summary>
    protected void AssertConsistent(INotificationStore store)
    {
        var keys = new List<TimeKey>();
        store.ReadTimeIndex(SyncBounds.Lowest, int.MaxValue, keys);
        Assert.Equal(keys.Order(), keys);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        StoreStatistics stats = store.Statistics;
        Assert.Equal(stats.Count, keys.Count);
        long bytes = 0;
        UInt128 leastWorth = 0;
        var lowest = new Dictionary<RecipientTag, ulong>();
        foreach (TimeKey key in keys)
        {
            Notification? n = store.Get(key.Hash);
            Assert.NotNull(n);
            Assert.True(store.Contains(key.Hash));
            Assert.Equal(key.Hash, n.Hash);
            Assert.Equal(key.Timestamp, n.Timestamp);
            int size = NotificationProtobuf.Encode(n).Length;
            bytes += size;
            leastWorth = UInt128.Max(leastWorth, StoreWorth.Cost(n.WorkValue, size));
            lowest[n.RecipientTag] = Math.Min(n.WorkValue, lowest.GetValueOrDefault(n.RecipientTag, ulong.MaxValue));
        }
        Assert.Equal(bytes, stats.Bytes);
        StoreFloor floor = Assert.NotNull(store.Floor);
        Assert.Equal(bytes, floor.Bytes);
        Assert.Equal(leastWorth, floor.LeastWorthCost);
        Assert.All(lowest, l => Assert.Equal(l.Value, store.LowestValueOf(l.Key)));
        Assert.Empty(InternalProblems(store));
    }

    public virtual void Dispose()
    {
        foreach (INotificationStore store in _opened)
        {
            store.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Stored_notification_reads_back_with_all_index_entries()
    {
        Notification n = Make(work: 42);
        Assert.Equal([StoreOutcome.Stored], Store.Put([n]));
        Notification? back = Store.Get(n.Hash);
        Assert.NotNull(back);
        Assert.Equal(n.Hash, back.Hash);
        Assert.Equal(42UL, back.Work);
        Assert.Equal(n.Payload.ToArray(), back.Payload.ToArray());
        Assert.True(Store.Contains(n.Hash));
        Assert.False(Store.Contains(Make().Hash));
        Assert.Null(Store.Get(Make().Hash));
        Assert.Equal(1, Store.Statistics.Count);
        Assert.Equal(NotificationProtobuf.Encode(n).Length, Store.Statistics.Bytes);
        AssertConsistent(Store);
    }

    [Fact]
    public void Duplicate_within_a_group_and_across_groups_is_stored_once()
    {
        Notification n = Make();
        Assert.Equal([StoreOutcome.Stored, StoreOutcome.Duplicate], Store.Put([n, n.WithWork(7)]));
        Assert.Equal([StoreOutcome.Duplicate], Store.Put([n]));
        Assert.Equal(1, Store.Statistics.Count);
        AssertConsistent(Store);
    }

    [Fact]
    public void A_group_answers_one_outcome_per_item_in_order()
    {
        Notification a = Make(), b = Make(), c = Make();
        Store.Put([b]);
        Assert.Equal([StoreOutcome.Stored, StoreOutcome.Duplicate, StoreOutcome.Stored, StoreOutcome.Duplicate], Store.Put([a, b, c, a]));
        Assert.Empty(Store.Put([]));
        Assert.Equal(3, Store.Statistics.Count);
        AssertConsistent(Store);
    }

    [Fact]
    public void An_empty_store_reads_as_empty()
    {
        INotificationStore store = Create(new StoreOptions { MaxBytes = 12345 });
        Assert.Equal(new StoreStatistics(0, 0, store.Statistics.DiskBytes), store.Statistics);
        Assert.Equal(new StoreFloor(0, 12345, 0), store.Floor);
        Assert.Null(store.LowestValueOf(RandomTag()));
        Assert.Equal(0, store.SweepExpired(ulong.MaxValue, 100));
        Assert.Empty(store.Fetch(FetchQuery.ForTag(RandomTag()), 0).Notifications);
        Assert.Equal(0, store.ReadTimeIndex(SyncBounds.Lowest, 100, []));
    }

    [Fact]
    public void Closed_store_refuses_with_a_typed_error()
    {
        INotificationStore store = Create();
        Notification n = Make();
        store.Put([n]);
        store.Dispose();
        Assert.Throws<StoreUnavailableException>(() => store.Put([Make()]));
        Assert.Throws<StoreUnavailableException>(() => store.Contains(n.Hash));
        Assert.Throws<StoreUnavailableException>(() => store.Get(n.Hash));
        Assert.Throws<StoreUnavailableException>(() => store.Fetch(FetchQuery.ForTag(n.RecipientTag), 0));
        Assert.Throws<StoreUnavailableException>(() => store.SweepExpired(ulong.MaxValue, 10));
        Assert.Throws<StoreUnavailableException>(() => store.ReadTimeIndex(SyncBounds.Lowest, 10, []));
        Assert.Throws<StoreUnavailableException>(() => store.LowestValueOf(n.RecipientTag));
        // The health check reads the statistics to learn whether the store is open.
        Assert.Throws<StoreUnavailableException>(() => store.Statistics);
        store.Dispose();
    }
}
