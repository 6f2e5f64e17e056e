using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

public abstract partial class NotificationStoreRules
{
    [Fact]
    public void Sweep_deletes_expired_notifications_and_their_index_entries()
    {
        INotificationStore store = Create();
        Notification gone = Make(timestamp: 1000, ttl: 60);
        Notification kept = Make(timestamp: 1000, ttl: 3600);
        store.Put([gone, kept]);
        Assert.Equal(1, store.SweepExpired(1060, 100)); // expires_at = 1060 ≤ now: expired
        Assert.False(store.Contains(gone.Hash));
        Assert.True(store.Contains(kept.Hash));
        Assert.Equal(1, store.Statistics.Count);
        AssertConsistent(store);
    }

    [Fact]
    public void Sweeper_deletes_in_bounded_batches_until_nothing_is_expired()
    {
        INotificationStore store = Create();
        store.Put(Enumerable.Range(0, 2500).Select(_ => Make(timestamp: 1000, ttl: 60, payloadSize: 10)).ToArray());
        var clock = ManualClock.AtUnix(5000);
        var sweeper = new ExpirySweeper(store, TimeSpan.FromMinutes(1), clock);
        Assert.Equal(2500, sweeper.SweepNow());
        Assert.Equal(0, store.Statistics.Count);
        AssertConsistent(store);
    }

    [Fact]
    public async Task Sweeper_runs_on_its_interval()
    {
        INotificationStore store = Create();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        store.Put([Make(timestamp: now - 120, ttl: 60)]);
        var swept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sweeper = new ExpirySweeper(store, TimeSpan.FromMilliseconds(20));
        sweeper.Swept += (_, _) =>
        {
            if (store.Statistics.Count == 0)
            {
                swept.TrySetResult();
            }
        };
        sweeper.Start();
        await swept.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
