using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Ingress;

/// <summary>Issue 12 attack 5 at the gate: a full store prices newcomers (NNRP.md §6.3 store fill, §6.4 floor).</summary>
public sealed class StoreFullPricingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private const int Payload = 400;

    private static int Size(Notification n) => NotificationProtobuf.Encode(n).Length;

    /// <summary>Work never 0 (which protobuf omits), so every notification here has one size.</summary>
    private static Notification Paid(long now, ulong min, ulong max = ulong.MaxValue) =>
        WithWorkValue(Make(timestamp: now, payloadSize: Payload), min, max, firstWork: 1);

    [Fact]
    public async Task Newcomer_below_the_least_stored_is_over_capacity_with_the_threshold_that_gets_it_in()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        long now = clock.UnixNow;
        int size = Size(Paid(now, 0));
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 4L * size });
        await using var gate = new IngressGate(f.Store, new IngressOptions { Policy = FreePolicy }, clock);
        Notification[] paid = Enumerable.Range(0, 4).Select(_ => Paid(now, 0xff00000000000000)).ToArray();
        foreach (Notification n in paid)
        {
            Assert.Equal(DecisionStatus.Accepted, (await gate.SubmitAsync(n).WaitAsync(Limit)).Status);
        }

        // Full, so u = 1 and the load price is 64× (0xfc00…): the flood pays that, yet holds less per byte.
        Assert.Equal(RequiredThreshold.Current(1.0, FreePolicy), gate.CurrentThreshold);
        Notification cheap = Paid(now, gate.CurrentThreshold, 0xfeffffffffffffff);
        Decision refused = await gate.SubmitAsync(cheap).WaitAsync(Limit);
        Assert.Equal(DecisionStatus.OverCapacity, refused.Status);
        ulong floorValue = paid.Min(n => n.WorkValue);
        ulong expected = StoreWorth.ThresholdToBeat(StoreWorth.Cost(floorValue, size), size);
        Assert.Equal(expected, refused.RequiredThreshold);
        Assert.True(refused.RequiredThreshold > floorValue, "it must out-pay the least stored per byte");
        Assert.All(paid, n => Assert.True(f.Store.Contains(n.Hash)));

        // Paying what the refusal named gets in, and the least-worth notification goes.
        Decision accepted = await gate.SubmitAsync(Paid(now, refused.RequiredThreshold)).WaitAsync(Limit);
        Assert.Equal(DecisionStatus.Accepted, accepted.Status);
        Assert.False(f.Store.Contains(paid.MinBy(n => n.WorkValue)!.Hash));
        f.AssertConsistent();
    }

    [Fact]
    public async Task Store_fill_raises_the_advertised_threshold()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        long now = clock.UnixNow;
        int size = Size(Paid(now, 0));
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 10L * size });
        await using var gate = new IngressGate(f.Store, new IngressOptions { Policy = CheapPolicy }, clock);
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(DecisionStatus.Accepted, (await gate.SubmitAsync(Paid(now, gate.CurrentThreshold)).WaitAsync(Limit)).Status);
        }
        // 70 % full: under the knee, the base price.
        Assert.Equal(0.7, gate.StoreFill, 6);
        Assert.Equal(CheapBase, gate.CurrentThreshold);

        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(DecisionStatus.Accepted, (await gate.SubmitAsync(Paid(now, gate.CurrentThreshold)).WaitAsync(Limit)).Status);
        }
        // 90 % full: u = max(queue fill 0, store fill 0.9) → 64^((0.9 − 0.75)/0.25) ≈ 12×.
        Assert.Equal(0.9, gate.Utilisation, 6);
        Assert.Equal(RequiredThreshold.Current(0.9, CheapPolicy), gate.CurrentThreshold);
        Assert.True(Thresholds.ToMultiplier(gate.CurrentThreshold, CheapBase) > 12);
        Decision cheap = await gate.SubmitAsync(Paid(now, CheapBase, gate.CurrentThreshold - 1)).WaitAsync(Limit);
        Assert.Equal(DecisionStatus.InsufficientWork, cheap.Status);
        Assert.Equal(gate.CurrentThreshold, cheap.RequiredThreshold);
    }
}
