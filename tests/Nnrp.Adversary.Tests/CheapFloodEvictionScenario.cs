using System.Globalization;
using Nnrp.Core.Notifications;
using Nnrp.Node.Protocol;
using StatusCode = Nnrp.Core.Protocol.StatusCode;
using Xunit.Abstractions;
using Nnrp.Protocol.Requests;
using static Nnrp.Adversary.Tests.StoreScenarioNode;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 5: a full store where paid-for notifications (more work, short TTL) face a
/// flood of cheaper, longer-lived ones ten times the store's size. NNRP.md §6.4: the least work
/// per byte goes first, so every paid-for notification survives; once full, the flood is told
/// over_capacity with the threshold that would get it in, and the price it sees rises with the
/// store's fill (§6.3).
/// </summary>
public sealed class CheapFloodEvictionScenario(ITestOutputHelper output)
{
    private const int Capacity = 24;
    private const int PaidCount = 8;
    private const int FloodCount = 10 * Capacity;
    private const uint PaidTtl = 3600;
    private const int Concurrency = 16;

    // Paid-for: 4096× the base; the flood pays what the node asks, never more than 1024×.
    private static readonly ulong PaidThreshold = AtMultiple(4096);
    private static readonly ulong FloodCeiling = AtMultiple(1024) - 1;

    [Fact]
    public async Task Paid_for_notifications_survive_a_cheap_long_lived_flood_of_a_full_store()
    {
        int size = NotificationProtobuf.Encode(Make(null, NotificationLimits.MaxTtl, Base)).Length;
        await using StoreScenarioNode node = await StartAsync("--store-max-bytes", (Capacity * size).ToString(CultureInfo.InvariantCulture));

        Notification[] paid = Enumerable.Range(0, PaidCount).Select(_ => Make(null, PaidTtl, PaidThreshold)).ToArray();
        foreach (Notification n in paid)
        {
            Assert.Equal(StatusCode.Ok, (await node.PublishAsync(n)).Status);
        }
        double paidHashes = PaidCount * Hashes(PaidThreshold);

        // An attacker that pays exactly what each refusal asks, up to its ceiling, 16 at a time.
        ulong price = Base;
        double floodHashes = 0;
        var gate = new object();
        async Task<(Notification N, PublishResult R)> FloodOneAsync()
        {
            ulong asked = Volatile.Read(ref price);
            Notification n = Make(null, NotificationLimits.MaxTtl, asked, FloodCeiling);
            double spent = Hashes(asked);
            PublishResult r = await node.PublishAsync(n);
            while (r.Status == StatusCode.InsufficientWork && r.RequiredThreshold <= FloodCeiling)
            {
                asked = r.RequiredThreshold;
                n = Regrind(n, asked, FloodCeiling);
                spent += Hashes(asked);
                r = await node.PublishAsync(n);
            }
            lock (gate)
            {
                price = Math.Max(price, asked);
                floodHashes += spent;
            }
            return (n, r);
        }
        var outcomes = new List<(Notification N, PublishResult R)>(FloodCount);
        for (int i = 0; i < FloodCount; i += Concurrency)
        {
            outcomes.AddRange(await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(FloodOneAsync))));
        }
        ulong advertised = await node.CurrentThresholdAsync();

        int survived = 0;
        foreach (Notification n in paid)
        {
            survived += await node.HasAsync(n) ? 1 : 0;
        }
        int accepted = outcomes.Count(o => o.R.Status == StatusCode.Ok);
        var late = outcomes.Skip(FloodCount - 60).ToList();
        int lateOver = late.Count(o => o.R.Status == StatusCode.OverCapacity);
        output.WriteLine($"store: {Capacity} × {size} B; paid-for: {PaidCount} at 4096× base, ttl {PaidTtl} s ({paidHashes:0} hashes)");
        output.WriteLine($"flood: {FloodCount} at ≤ 1024× base, ttl 90 days: {floodHashes:0} hashes (~{floodHashes / FloodCount / Hashes(Base):0.#}× base each)");
        output.WriteLine($"flood accepted {accepted}, over_capacity {outcomes.Count(o => o.R.Status == StatusCode.OverCapacity)}, " +
            $"insufficient_work {outcomes.Count(o => o.R.Status == StatusCode.InsufficientWork)}; last 60: {lateOver} over_capacity");
        output.WriteLine($"advertised current_threshold {Multiple(advertised):0.#}× base; paid-for surviving {survived}/{PaidCount}");

        Assert.Equal(PaidCount, survived);
        // u = store fill ≈ 1 (paid-for ones are 2 bytes shorter: their ttl varint is): near 64×.
        Assert.True(Multiple(advertised) >= 32, $"a full store advertises near the saturated load price (64×), not {Multiple(advertised):0.#}×");
        Assert.True(lateOver >= 30, $"only {lateOver} of the flood's last 60 were refused over_capacity");
        Assert.All(late.Where(o => o.R.Status == StatusCode.OverCapacity), o =>
            Assert.True(o.R.RequiredThreshold > o.N.WorkValue, "over_capacity names a threshold above what was sent"));
    }
}
