using Nnrp.Core.Notifications;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Ingress;

/// <summary>Issue 6 item 2: a bounded queue that sheds the lowest work first and raises the price; store failures refuse.</summary>
public sealed class OverloadTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Full_queue_sheds_the_lowest_work_first_and_raises_the_current_threshold()
    {
        using var f = new StoreFixture();
        using var store = new ControlledStore(f.Store);
        var clock = ManualClock.AtUnix(1_767_225_600);
        await using var gate = new IngressGate(store, new IngressOptions { Policy = FreePolicy, QueueCapacity = 4 }, clock);
        Notification N(ulong min, ulong max) => WithWorkValue(Make(timestamp: clock.UnixNow), min, max);

        store.Hold();
        Task<Decision> blocker = gate.SubmitAsync(N(0, ulong.MaxValue));
        await store.EnteredPutAsync(); // the writer is inside Put; the queue now fills
        Notification lowest = N(0x1000000000000000, 0x1fffffffffffffff);
        Notification[] middle = [N(0x4000000000000000, 0x5fffffffffffffff), N(0x4000000000000000, 0x5fffffffffffffff), N(0x4000000000000000, 0x5fffffffffffffff)];
        Task<Decision> lowestTask = gate.SubmitAsync(lowest);
        Task<Decision>[] middleTasks = middle.Select(n => gate.SubmitAsync(n)).ToArray();
        Assert.Equal(1.0, gate.Utilisation);
        Assert.True(gate.CurrentThreshold > gate.Policy.BaseThreshold, "a full queue raises current_threshold");

        // At u = 1 the load factor is 64 (NNRP.md §6.3): only work above that gets in, displacing the lowest.
        Task<Decision> best = gate.SubmitAsync(N(0xff00000000000000, ulong.MaxValue));
        Decision shed = await lowestTask.WaitAsync(Limit);
        Assert.Equal(DecisionStatus.OverCapacity, shed.Status);

        Decision cheap = await gate.SubmitAsync(N(0, 0x0fffffffffffffff)).WaitAsync(Limit);
        Assert.Equal(DecisionStatus.InsufficientWork, cheap.Status);
        Assert.Equal(gate.CurrentThreshold, cheap.RequiredThreshold);
        Assert.True(cheap.RequiredThreshold > gate.Policy.BaseThreshold);

        store.Release();
        Assert.Equal(DecisionStatus.Accepted, (await blocker.WaitAsync(Limit)).Status);
        Assert.Equal(DecisionStatus.Accepted, (await best.WaitAsync(Limit)).Status);
        Assert.All(await Task.WhenAll(middleTasks).WaitAsync(Limit), r => Assert.Equal(DecisionStatus.Accepted, r.Status));
        Assert.False(f.Store.Contains(lowest.Hash));
        Assert.Equal(5, f.Store.Statistics.Count);
    }

    [Fact]
    public async Task Store_failure_is_an_internal_refusal_and_nothing_is_acknowledged()
    {
        using var f = new StoreFixture();
        using var store = new ControlledStore(f.Store) { Fail = true };
        await using var gate = new IngressGate(store, new IngressOptions { Policy = FreePolicy });
        Notification n = Make(timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Decision r = await gate.SubmitAsync(n).WaitAsync(Limit);
        Assert.Equal(DecisionStatus.Internal, r.Status);
        Assert.False(r.IsStored);
        Assert.False(f.Store.Contains(n.Hash));
        store.Fail = false;
        Assert.Equal(DecisionStatus.Accepted, (await gate.SubmitAsync(n).WaitAsync(Limit)).Status);
    }

    [Fact]
    public async Task Mailbox_at_its_cap_refuses_cheaper_work_as_over_capacity()
    {
        using var f = new StoreFixture(new Nnrp.Node.Storage.StoreOptions { PerTagCap = 2 });
        await using var gate = new IngressGate(f.Store, new IngressOptions { Policy = FreePolicy });
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tag = RandomTag();
        await gate.SubmitAsync(WithWorkValue(Make(tag, timestamp: now), 0x8000000000000000)).WaitAsync(Limit);
        await gate.SubmitAsync(WithWorkValue(Make(tag, timestamp: now), 0x8000000000000000)).WaitAsync(Limit);
        Decision r = await gate.SubmitAsync(WithWorkValue(Make(tag, timestamp: now), 0, 0x7fffffffffffffff)).WaitAsync(Limit);
        Assert.Equal(DecisionStatus.OverCapacity, r.Status);
        Assert.Equal(2, f.Store.Statistics.Count);
    }
}
