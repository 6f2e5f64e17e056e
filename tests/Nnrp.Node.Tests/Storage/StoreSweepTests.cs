using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

public sealed class StoreSweepTests
{
    [Fact]
    public void Sweep_deletes_expired_notifications_and_their_index_entries()
    {
        using var f = new StoreFixture();
        Notification gone = Make(timestamp: 1000, ttl: 60);
        Notification kept = Make(timestamp: 1000, ttl: 3600);
        f.Store.Put([gone, kept]);
        Assert.Equal(1, f.Store.SweepExpired(1060, 100)); // expires_at = 1060 ≤ now: expired
        Assert.False(f.Store.Contains(gone.Hash));
        Assert.True(f.Store.Contains(kept.Hash));
        Assert.Equal(1, f.Store.Statistics.Count);
        f.AssertConsistent();
    }

    [Fact]
    public void Sweeper_deletes_in_bounded_batches_until_nothing_is_expired()
    {
        using var f = new StoreFixture();
        f.Store.Put(Enumerable.Range(0, 2500).Select(_ => Make(timestamp: 1000, ttl: 60, payloadSize: 10)).ToArray());
        var clock = ManualClock.AtUnix(5000);
        var sweeper = new ExpirySweeper(f.Store, TimeSpan.FromMinutes(1), clock);
        Assert.Equal(2500, sweeper.SweepNow());
        Assert.Equal(0, f.Store.Statistics.Count);
        f.AssertConsistent();
    }

    [Fact]
    public async Task Sweeper_runs_on_its_interval()
    {
        using var f = new StoreFixture();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        f.Store.Put([Make(timestamp: now - 120, ttl: 60)]);
        var swept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sweeper = new ExpirySweeper(f.Store, TimeSpan.FromMilliseconds(20));
        sweeper.Swept += (_, _) =>
        {
            if (f.Store.Statistics.Count == 0)
            {
                swept.TrySetResult();
            }
        };
        sweeper.Start();
        await swept.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
