using Nnrp.Core.Notifications;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Testing;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Sync;

/// <summary>
/// NNRP.md §11.8.7 "Scope": sessions on a new connection cover everything; periodic ones cover
/// the last 24 h of a shard once it was synced whole, so a converged node does not re-walk its
/// history every 30 s.
/// </summary>
public sealed class SyncScopeTests
{
    private const long Day = 24 * 60 * 60;

    private static NnrpNodeOptions NoGossipReplay(NnrpNodeOptions options) =>
        options with { Gossip = NotificationGossip.DefaultOptions(options.PrivateNetwork) with { HistoryGossip = 0 } };

    private static Notification Aged(long now, long age) =>
        Notifications.WithWorkValue(Notifications.Make(timestamp: now - age), Notifications.CheapBase);

    private static async Task StoreAsync(IngressGate gate, params Notification[] items)
    {
        Decision[] results = await Task.WhenAll(items.Select(n => gate.SubmitAsync(n))).WaitAsync(NodeNetwork.Limit);
        Assert.All(results, r => Assert.Equal(DecisionStatus.Accepted, r.Status));
    }

    [Fact]
    public async Task A_periodic_session_after_a_whole_one_covers_only_the_last_day()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync(configure: NoGossipReplay);
        await using NodeNetwork b = await NodeNetwork.StartAsync(configure: NoGossipReplay);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await StoreAsync(a.Node.Ingress, Aged(now, 600), Aged(now, 5 * Day));
        await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        SyncOutcome whole = await b.Node.Sync.SyncWithAsync(a.NodeHost.PeerId, SyncScope.Recent).WaitAsync(NodeNetwork.Limit);
        Assert.True(whole.Complete && whole.Whole, "a shard not yet synced whole is synced whole, even on the schedule");
        Assert.Equal(2, whole.Pulled);

        // Straight into A's store: through A's gate they would also be gossiped to B.
        Notification recent = Aged(now, 60), old = Aged(now, 3 * Day);
        a.Node.Store.Put([recent, old]);
        SyncOutcome periodic = await b.Node.Sync.SyncWithAsync(a.NodeHost.PeerId, SyncScope.Recent).WaitAsync(NodeNetwork.Limit);

        Assert.True(periodic.Complete);
        Assert.False(periodic.Whole);
        Assert.Equal(1, periodic.Pulled);
        Assert.True(b.Node.Store.Contains(recent.Hash));
        Assert.False(b.Node.Store.Contains(old.Hash));

        SyncOutcome onConnect = await b.Node.Sync.SyncWithAsync(a.NodeHost.PeerId, SyncScope.Everything).WaitAsync(NodeNetwork.Limit);
        Assert.True(onConnect.Whole);
        Assert.Equal(1, onConnect.Pulled);
        Assert.True(b.Node.Store.Contains(old.Hash));
    }

    [Fact]
    public async Task Only_a_whole_session_reports_the_shard_caught_up()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync(configure: NoGossipReplay);
        await using NodeNetwork b = await NodeNetwork.StartAsync(configure: NoGossipReplay);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await StoreAsync(a.Node.Ingress, Aged(now, 2 * Day));
        await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        int synced = 0;
        b.Node.Sync.ShardSynced += (_, _) => Interlocked.Increment(ref synced);

        await b.Node.Sync.SyncWithAsync(a.NodeHost.PeerId, SyncScope.Recent).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(1, synced);
        SyncOutcome periodic = await b.Node.Sync.SyncWithAsync(a.NodeHost.PeerId, SyncScope.Recent).WaitAsync(NodeNetwork.Limit);

        Assert.True(periodic.Complete);
        Assert.False(periodic.Whole);
        Assert.Equal(1, synced);
    }
}
