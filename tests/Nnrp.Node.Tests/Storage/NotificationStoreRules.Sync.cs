using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Sync;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Node.Tests.Storage;

public abstract partial class NotificationStoreRules
{
    // NNRP.md §11.8: sync reads the store's by_time index through StoreSyncSet.

    private static TimeKey KeyOf(Notification n) => new(n.Timestamp, n.Hash);

    [Fact]
    public void Time_index_reads_ascending_from_a_key_and_keeps_expired_entries_until_the_sweep()
    {
        // Three per second, so resuming inside one timestamp is exercised.
        Notification[] live = Enumerable.Range(0, 30).Select(i => Make(timestamp: (long)Now - 100 + i / 3)).ToArray();
        Notification[] expired = Enumerable.Range(0, 6).Select(i => Make(timestamp: (long)Now - 100 + i / 3, ttl: 60)).ToArray();
        Store.Put([.. live, .. expired]);
        List<TimeKey> expected = live.Concat(expired).Select(KeyOf).Order().ToList();

        var all = new List<TimeKey>();
        Assert.Equal(expected.Count, Store.ReadTimeIndex(SyncBounds.Lowest, 1000, all));
        Assert.Equal(expected, all);
        var some = new List<TimeKey>();
        Assert.Equal(5, Store.ReadTimeIndex(expected[10], 5, some));
        Assert.Equal(expected.Skip(10).Take(5), some);
        var none = new List<TimeKey>();
        Assert.Equal(0, Store.ReadTimeIndex(SyncBounds.Infinity, 10, none));
        Assert.Equal(0, Store.ReadTimeIndex(SyncBounds.Lowest, 0, none));
        Assert.Empty(none);

        Assert.Equal(expired.Length, Store.SweepExpired(Now, 100));
        var after = new List<TimeKey>();
        Store.ReadTimeIndex(SyncBounds.Lowest, 1000, after);
        Assert.Equal(live.Select(KeyOf).Order(), after);
        AssertConsistent(Store);
    }

    [Fact]
    public void The_sync_set_reads_like_the_in_memory_set_across_chunks()
    {
        // 2600 keys over ~870 seconds: the 1024-key reads of StoreSyncSet resume inside a second.
        Notification[] items = Enumerable.Range(0, 2600).Select(i => Make(timestamp: (long)Now - i / 3, payloadSize: 10)).ToArray();
        Store.Put(items);
        var memory = new MemorySyncSet(items.Select(KeyOf));
        var set = new StoreSyncSet(Store);
        Assert.Equal(memory.Items, set.Range(SyncBounds.Lowest, SyncBounds.Infinity));
        TimeKey from = memory.Items[700];
        TimeKey to = memory.Items[2100];
        Assert.Equal(memory.Range(from, to), set.Range(from, to));
        Assert.Equal(memory.Range(from, to, 1500), set.Range(from, to, 1500));
        Assert.Equal(Fingerprint.Of(memory.Range(from, to).Select(k => k.Hash)), Fingerprint.Of(set.Range(from, to).Select(k => k.Hash)));
    }

    [Fact]
    public void Two_stores_reconcile_to_their_exact_differences()
    {
        INotificationStore a = Create(), b = Create();
        Notification[] shared = Enumerable.Range(0, 3000).Select(i => Make(timestamp: (long)Now - i, payloadSize: 10)).ToArray();
        Notification[] onlyA = Enumerable.Range(0, 40).Select(i => Make(timestamp: (long)Now - 7 * i, payloadSize: 10)).ToArray();
        Notification[] onlyB = Enumerable.Range(0, 25).Select(i => Make(timestamp: (long)Now - 11 * i, payloadSize: 10)).ToArray();
        a.Put([.. shared, .. onlyA]);
        b.Put([.. shared, .. onlyB]);
        SyncSession session = SyncHarness.Run(new SyncSession(new StoreSyncSet(a)), SyncHarness.Honest(new StoreSyncSet(b)));
        Assert.True(session.IsComplete);
        Assert.Equal(onlyB.Select(n => n.Hash).Order(), session.Need.Order());
        Assert.Equal(onlyA.Select(n => n.Hash).Order(), session.Offer.Order());
    }

    [Fact]
    public void A_full_range_sync_request_reads_at_most_the_budget_from_a_large_store()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (int batch = 0; batch < 25; batch++)
        {
            Store.Put(Enumerable.Range(0, 1000).Select(i => Make(timestamp: now - i)).ToList());
        }
        var counted = new TimeIndexCounter(Store);
        SyncRange everything = SyncRange.WithFingerprint(SyncBounds.Lowest, SyncBounds.Infinity, Fingerprint.Of([]));
        SyncAnswer answer = SyncResponder.Answer(new StoreSyncSet(counted), [everything]);
        Assert.True(counted.EntriesRead <= SyncLimits.MaxScanPerRequest, $"{counted.EntriesRead} index entries read");
        Assert.True(answer.Ranges[^1].IsOpen);
    }

    /// <summary>Counts the <c>by_time</c> entries a store returns to sync.</summary>
    private sealed class TimeIndexCounter(INotificationStore inner) : INotificationStore
    {
        private long _read;

        public long EntriesRead => Interlocked.Read(ref _read);

        public int ReadTimeIndex(TimeKey from, int max, List<TimeKey> destination)
        {
            int read = inner.ReadTimeIndex(from, max, destination);
            Interlocked.Add(ref _read, read);
            return read;
        }

        public bool Contains(NotificationHash hash) => inner.Contains(hash);

        public Notification? Get(NotificationHash hash) => inner.Get(hash);

        public IReadOnlyList<StoreOutcome> Put(IReadOnlyList<Notification> notifications) => inner.Put(notifications);

        public NotificationPage Fetch(FetchQuery query, ulong now) => inner.Fetch(query, now);

        public int SweepExpired(ulong now, int maxItems) => inner.SweepExpired(now, maxItems);

        public StoreStatistics Statistics => inner.Statistics;

        public void Dispose()
        {
        }
    }
}
