using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Ingress;

/// <summary>
/// Issue 12 attack 8: tags are public, so a refused submission must not raise a tag's price.
/// n of NNRP.md §6.3 counts what the node accepted (plus what is still queued), nothing else.
/// </summary>
public sealed class TagEscalationCountTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // Every accepted notification beyond the first doubles the price: a count that moves shows at once.
    private static readonly WorkPolicy Steep = FreePolicy with { FreePerTag = 1, DoublingEvery = 1 };

    [Fact]
    public async Task Submissions_refused_by_a_full_mailbox_do_not_raise_its_price()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        using var f = new StoreFixture(new StoreOptions { PerTagCap = 1 });
        await using var gate = new IngressGate(f.Store, new IngressOptions { Policy = Steep }, clock);
        RecipientTag victim = RandomTag();
        Notification held = WithWorkValue(Make(victim, timestamp: clock.UnixNow), 0xf000000000000000);
        Assert.Equal(DecisionStatus.Accepted, (await gate.SubmitAsync(held).WaitAsync(Limit)).Status);
        ulong price = gate.RequiredThresholdFor(victim);

        // The griefer's notifications pass the work check but lose to the stored one.
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(price, gate.RequiredThresholdFor(victim));
            Notification grief = WithWorkValue(Make(victim, timestamp: clock.UnixNow), price, 0xefffffffffffffff);
            Decision refused = await gate.SubmitAsync(grief).WaitAsync(Limit);
            Assert.Equal(DecisionStatus.OverCapacity, refused.Status);
            // §6.4: what gets in is more than the lowest value the mailbox holds.
            Assert.Equal(held.WorkValue + 1, refused.RequiredThreshold);
        }
        Assert.Equal(price, gate.RequiredThresholdFor(victim));
    }

    [Fact]
    public async Task Submissions_refused_by_a_full_store_do_not_raise_the_price()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        Notification held = WithWorkValue(Make(timestamp: clock.UnixNow, payloadSize: 300), 0xff00000000000000);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = NotificationProtobuf.Encode(held).Length });
        await using var gate = new IngressGate(f.Store, new IngressOptions { Policy = Steep }, clock);
        Assert.Equal(DecisionStatus.Accepted, (await gate.SubmitAsync(held).WaitAsync(Limit)).Status);
        RecipientTag victim = RandomTag();
        ulong price = gate.RequiredThresholdFor(victim); // the full store's load price, 64×
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(price, gate.RequiredThresholdFor(victim));
            Notification grief = WithWorkValue(Make(victim, timestamp: clock.UnixNow, payloadSize: 300), price, 0xfeffffffffffffff);
            Assert.Equal(DecisionStatus.OverCapacity, (await gate.SubmitAsync(grief).WaitAsync(Limit)).Status);
        }
        Assert.Equal(price, gate.RequiredThresholdFor(victim));
    }

    [Fact]
    public async Task Shed_submissions_do_not_raise_the_price_and_queued_ones_count_until_decided()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        using var f = new StoreFixture();
        using var store = new ControlledStore(f.Store);
        await using var gate = new IngressGate(store, new IngressOptions { Policy = FreePolicy with { FreePerTag = 1, DoublingEvery = 1, LoadKnee = 1.0 }, QueueCapacity = 2 }, clock);
        RecipientTag victim = RandomTag();
        store.Hold();
        Task<Decision> blocker;
        Task<Decision>[] others;
        try
        {
            blocker = gate.SubmitAsync(Make(timestamp: clock.UnixNow));
            await store.EnteredPutAsync();

            // Two for the victim wait in the queue: while they wait they count (n = 2 → 2×).
            Task<Decision>[] queued = [gate.SubmitAsync(WithWorkValue(Make(victim, timestamp: clock.UnixNow), 0, 0x0fffffffffffffff)),
                gate.SubmitAsync(WithWorkValue(Make(victim, timestamp: clock.UnixNow), 0x1000000000000000, 0x1fffffffffffffff))];
            Assert.Equal(Thresholds.FromMultiplier(2, 0), gate.RequiredThresholdFor(victim));

            // Better-paid notifications for other tags shed both.
            others = [gate.SubmitAsync(WithWorkValue(Make(timestamp: clock.UnixNow), 0xf000000000000000)),
                gate.SubmitAsync(WithWorkValue(Make(timestamp: clock.UnixNow), 0xf000000000000000))];
            Assert.All(await Task.WhenAll(queued).WaitAsync(Limit), r => Assert.Equal(DecisionStatus.OverCapacity, r.Status));
            Assert.Equal(0UL, gate.RequiredThresholdFor(victim));
        }
        finally
        {
            // A failed assertion must not leave the writer held inside Put.
            store.Release();
        }

        Assert.Equal(DecisionStatus.Accepted, (await blocker.WaitAsync(Limit)).Status);
        Assert.All(await Task.WhenAll(others).WaitAsync(Limit), r => Assert.Equal(DecisionStatus.Accepted, r.Status));
        Assert.Equal(0UL, gate.RequiredThresholdFor(victim));
    }
}
