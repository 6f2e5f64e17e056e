using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

public abstract partial class NotificationStoreRules
{
    // Issue 12 attack 5: over the global size cap the least work per byte goes first (NNRP.md §6.4).

    protected static int Size(Notification n) => NotificationProtobuf.Encode(n).Length;

    /// <summary>Equal payloads, equal sizes: work is never 0, which protobuf would omit.</summary>
    protected static Notification Worth(Notification n, ulong min, ulong max = ulong.MaxValue) => WithWorkValue(n, min, max, firstWork: 1);

    [Fact]
    public void Over_the_global_cap_the_least_work_per_byte_goes_first_whatever_its_expiry()
    {
        // The cheap one lives longest: an expiry order would keep it and drop a paid-for one.
        Notification cheap = Worth(Make(ttl: 9000, payloadSize: 950), 0, 0x3fffffffffffffff);
        Notification paidSoon = Worth(Make(ttl: 1000, payloadSize: 950), 0x8000000000000000, 0xbfffffffffffffff);
        Notification paidLater = Worth(Make(ttl: 5000, payloadSize: 950), 0xc000000000000000, 0xdfffffffffffffff);
        INotificationStore store = Create(new StoreOptions { MaxBytes = Size(cheap) + Size(paidSoon) + Size(paidLater) });
        store.Put([paidLater, cheap, paidSoon]);
        Assert.Equal(3, store.Statistics.Count);

        Notification extra = Worth(Make(ttl: 7000, payloadSize: 950), 0xe000000000000000);
        Assert.Equal([StoreOutcome.Stored], store.Put([extra]));
        Assert.False(store.Contains(cheap.Hash));
        Assert.True(store.Contains(paidSoon.Hash));
        Assert.True(store.Contains(paidLater.Hash));
        Assert.True(store.Contains(extra.Hash));
        Assert.True(store.Statistics.Bytes <= store.Floor!.Value.MaxBytes);
        AssertConsistent(store);
    }

    [Fact]
    public void Work_is_weighed_per_byte_so_a_large_notification_needs_more_of_it()
    {
        // value ≈ 0xc0… (4× the work of 0x00…) on ~1970 bytes is less work per byte than
        // value ≈ 0x80… (2×) on ~165 bytes.
        Notification big = Worth(Make(payloadSize: 1900), 0xc000000000000000, 0xc7ffffffffffffff);
        Notification small = Worth(Make(payloadSize: 100), 0x8000000000000000, 0x87ffffffffffffff);
        INotificationStore store = Create(new StoreOptions { MaxBytes = Size(big) + Size(small) });
        store.Put([big, small]);
        Notification newcomer = Worth(Make(payloadSize: 100), 0xf000000000000000);
        Assert.Equal([StoreOutcome.Stored], store.Put([newcomer]));
        Assert.False(store.Contains(big.Hash));
        Assert.True(store.Contains(small.Hash));
        AssertConsistent(store);
    }

    [Fact]
    public void Newcomer_with_less_work_per_byte_than_the_least_stored_is_refused_and_told_what_gets_in()
    {
        Notification a = Worth(Make(payloadSize: 500), 0xc000000000000000);
        Notification b = Worth(Make(payloadSize: 500), 0xc000000000000000);
        INotificationStore store = Create(new StoreOptions { MaxBytes = Size(a) + Size(b) });
        store.Put([a, b]);
        Notification cheap = Worth(Make(payloadSize: 500), 0, 0xbfffffffffffffff);
        Assert.Equal([StoreOutcome.StoreFull], store.Put([cheap]));
        Assert.True(store.Contains(a.Hash) && store.Contains(b.Hash));
        Assert.Equal(2, store.Statistics.Count);

        StoreFloor floor = store.Floor!.Value;
        Assert.Equal(StoreWorth.Cost(Math.Min(a.WorkValue, b.WorkValue), Size(a)), floor.LeastWorthCost);
        Assert.True(floor.Refuses(cheap.WorkValue, Size(cheap)));
        ulong needed = floor.ThresholdFor(Size(cheap));
        Assert.True(needed > cheap.WorkValue);
        Notification paid = Worth(cheap, needed);
        Assert.Equal([StoreOutcome.Stored], store.Put([paid]));
        Assert.Equal(2, store.Statistics.Count);
        Assert.False(store.Contains(a.WorkValue < b.WorkValue ? a.Hash : b.Hash));
        AssertConsistent(store);
    }

    [Fact]
    public void A_group_is_weighed_against_the_store_and_itself()
    {
        Notification[] stored = Enumerable.Range(0, 4).Select(_ => Make(payloadSize: 300, work: (ulong)Random.Shared.NextInt64())).ToArray();
        int size = Size(stored[0]);
        INotificationStore store = Create(new StoreOptions { MaxBytes = 4L * size });
        store.Put(stored);
        Notification[] group = Enumerable.Range(0, 6).Select(_ => Make(payloadSize: 300, work: (ulong)Random.Shared.NextInt64())).ToArray();
        IReadOnlyList<StoreOutcome> outcomes = store.Put(group);
        // The four most valuable of the ten remain, whichever side they came from.
        HashSet<NotificationHash> best = stored.Concat(group).OrderByDescending(n => n.WorkValue).Take(4).Select(n => n.Hash).ToHashSet();
        Assert.All(stored.Concat(group), n => Assert.Equal(best.Contains(n.Hash), store.Contains(n.Hash)));
        Assert.All(group.Select((n, i) => (n, i)), x => Assert.Equal(best.Contains(x.n.Hash) ? StoreOutcome.Stored : StoreOutcome.StoreFull, outcomes[x.i]));
        AssertConsistent(store);
    }
}
