using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

public abstract partial class NotificationStoreRules
{
    private static readonly TimeSpan ConcurrencyLimit = TimeSpan.FromSeconds(120);

    /// <summary>Reads each reader makes at least, however soon the writer is done.</summary>
    private const int MinReads = 20;

    /// <summary>
    /// A node runs the ingress writer, fetch readers, sync readers and the sweeper at once: every
    /// page a reader sees is in (timestamp, hash) order across its cursors, never holds an expired
    /// item, every sync read is ordered, and the store is consistent when they are done.
    /// </summary>
    [Fact]
    public async Task Writer_sweeper_fetchers_and_sync_readers_run_at_once()
    {
        INotificationStore store = Create(new StoreOptions { PerTagCap = 40, MaxBytes = 150L * Size(Make(payloadSize: 100)), MaxScanPerPage = 25 });
        RecipientTag[] tags = [TagStartingWith(0xab, 0x01), TagStartingWith(0xab, 0x02), TagStartingWith(0xac), TagStartingWith(0x10)];
        const int Groups = 150;
        int written = 0;
        var done = new CancellationTokenSource();

        Task writer = Task.Run(() =>
        {
            try
            {
                for (int g = 0; g < Groups; g++)
                {
                    // A third expire at Now: readers must never see them, the sweeper takes them.
                    store.Put(Enumerable.Range(0, 12).Select(i => Make(tags[Random.Shared.Next(tags.Length)],
                        timestamp: (long)Now - Random.Shared.Next(200), ttl: i % 3 == 0 ? 60u : 3600u, payloadSize: 100,
                        work: (ulong)Random.Shared.NextInt64())).ToList());
                    Interlocked.Increment(ref written);
                }
            }
            finally
            {
                done.Cancel();
            }
        });
        Task sweeper = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                store.SweepExpired(Now, 5);
                Thread.Yield();
            }
        });
        Task Fetcher(FetchQuery first) => Task.Run(() =>
        {
            for (int round = 0; round < MinReads || !done.IsCancellationRequested; round++)
            {
                TimeKey? previous = null;
                FetchQuery query = first;
                while (true)
                {
                    NotificationPage page = store.Fetch(query, Now);
                    foreach (Notification n in page.Notifications)
                    {
                        Assert.True(n.ExpiresAt > Now, "an expired notification was served");
                        Assert.True(first.Matches(n.RecipientTag));
                        TimeKey key = KeyOf(n);
                        Assert.True(previous is not { } p || p < key, "pages out of (timestamp, hash) order");
                        previous = key;
                    }
                    if (!page.HasMore)
                    {
                        break;
                    }
                    query = Next(query, page);
                }
            }
        });
        Task syncReader = Task.Run(() =>
        {
            var set = new StoreSyncSet(store);
            for (int round = 0; round < MinReads || !done.IsCancellationRequested; round++)
            {
                List<TimeKey> keys = set.Range(SyncBounds.Lowest, SyncBounds.Infinity).ToList();
                Assert.Equal(keys.Order(), keys);
                _ = store.Statistics;
                _ = store.Floor;
                _ = store.LowestValueOf(tags[0]);
            }
        });

        await Task.WhenAll(writer, sweeper, syncReader,
            Fetcher(FetchQuery.ForTag(tags[0], limit: 7)),
            Fetcher(Prefix(8, [0xab], limit: 9)),
            Fetcher(Prefix(0, [], since: Now - 100, limit: 11))).WaitAsync(ConcurrencyLimit);
        Assert.Equal(Groups, written);
        store.SweepExpired(Now, int.MaxValue);
        AssertConsistent(store);
        Assert.True(store.Statistics.Bytes <= store.Floor!.Value.MaxBytes);
    }
}
