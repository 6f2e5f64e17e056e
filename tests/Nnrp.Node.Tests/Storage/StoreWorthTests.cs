using System.Buffers.Binary;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using RocksDbSharp;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

/// <summary>Issue 12 attack 5: over the global size cap the least work per byte goes first (NNRP.md §6.4).</summary>
public sealed class StoreWorthTests
{
    private static int Size(Notification n) => NotificationProtobuf.Encode(n).Length;

    /// <summary>Equal payloads, equal sizes: work is never 0, which protobuf would omit.</summary>
    private static Notification Worth(Notification n, ulong min, ulong max = ulong.MaxValue) => WithWorkValue(n, min, max, firstWork: 1);

    [Fact]
    public void Over_the_global_cap_the_least_work_per_byte_goes_first_whatever_its_expiry()
    {
        // The cheap one lives longest: an expiry order would keep it and drop a paid-for one.
        Notification cheap = Worth(Make(ttl: 9000, payloadSize: 950), 0, 0x3fffffffffffffff);
        Notification paidSoon = Worth(Make(ttl: 1000, payloadSize: 950), 0x8000000000000000, 0xbfffffffffffffff);
        Notification paidLater = Worth(Make(ttl: 5000, payloadSize: 950), 0xc000000000000000, 0xdfffffffffffffff);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = Size(cheap) + Size(paidSoon) + Size(paidLater) });
        f.Store.Put([paidLater, cheap, paidSoon]);
        Assert.Equal(3, f.Store.Statistics.Count);

        Notification extra = Worth(Make(ttl: 7000, payloadSize: 950), 0xe000000000000000);
        Assert.Equal([StoreOutcome.Stored], f.Store.Put([extra]));
        Assert.False(f.Store.Contains(cheap.Hash));
        Assert.True(f.Store.Contains(paidSoon.Hash));
        Assert.True(f.Store.Contains(paidLater.Hash));
        Assert.True(f.Store.Contains(extra.Hash));
        Assert.True(f.Store.Statistics.Bytes <= f.Options.MaxBytes);
        f.AssertConsistent();
    }

    [Fact]
    public void Work_is_weighed_per_byte_so_a_large_notification_needs_more_of_it()
    {
        // value ≈ 0xc0… (4× the work of 0x00…) on ~1970 bytes is less work per byte than
        // value ≈ 0x80… (2×) on ~165 bytes.
        Notification big = Worth(Make(payloadSize: 1900), 0xc000000000000000, 0xc7ffffffffffffff);
        Notification small = Worth(Make(payloadSize: 100), 0x8000000000000000, 0x87ffffffffffffff);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = Size(big) + Size(small) });
        f.Store.Put([big, small]);
        Notification newcomer = Worth(Make(payloadSize: 100), 0xf000000000000000);
        Assert.Equal([StoreOutcome.Stored], f.Store.Put([newcomer]));
        Assert.False(f.Store.Contains(big.Hash));
        Assert.True(f.Store.Contains(small.Hash));
        f.AssertConsistent();
    }

    [Fact]
    public void Newcomer_with_less_work_per_byte_than_the_least_stored_is_refused_and_told_what_gets_in()
    {
        Notification a = Worth(Make(payloadSize: 500), 0xc000000000000000);
        Notification b = Worth(Make(payloadSize: 500), 0xc000000000000000);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = Size(a) + Size(b) });
        f.Store.Put([a, b]);
        Notification cheap = Worth(Make(payloadSize: 500), 0, 0xbfffffffffffffff);
        Assert.Equal([StoreOutcome.StoreFull], f.Store.Put([cheap]));
        Assert.True(f.Store.Contains(a.Hash) && f.Store.Contains(b.Hash));
        Assert.Equal(2, f.Store.Statistics.Count);

        StoreFloor floor = f.Store.Floor!.Value;
        Assert.Equal(StoreWorth.Cost(Math.Min(a.WorkValue, b.WorkValue), Size(a)), floor.LeastWorthCost);
        Assert.True(floor.Refuses(cheap.WorkValue, Size(cheap)));
        ulong needed = floor.ThresholdFor(Size(cheap));
        Assert.True(needed > cheap.WorkValue);
        Notification paid = Worth(cheap, needed);
        Assert.Equal([StoreOutcome.Stored], f.Store.Put([paid]));
        Assert.Equal(2, f.Store.Statistics.Count);
        Assert.False(f.Store.Contains(a.WorkValue < b.WorkValue ? a.Hash : b.Hash));
        f.AssertConsistent();
    }

    [Fact]
    public void A_group_is_weighed_against_the_store_and_itself()
    {
        Notification[] stored = Enumerable.Range(0, 4).Select(_ => Make(payloadSize: 300, work: (ulong)Random.Shared.NextInt64())).ToArray();
        int size = Size(stored[0]);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 4L * size });
        f.Store.Put(stored);
        Notification[] group = Enumerable.Range(0, 6).Select(_ => Make(payloadSize: 300, work: (ulong)Random.Shared.NextInt64())).ToArray();
        IReadOnlyList<StoreOutcome> outcomes = f.Store.Put(group);
        // The four most valuable of the ten remain, whichever side they came from.
        HashSet<NotificationHash> best = stored.Concat(group).OrderByDescending(n => n.WorkValue).Take(4).Select(n => n.Hash).ToHashSet();
        Assert.All(stored.Concat(group), n => Assert.Equal(best.Contains(n.Hash), f.Store.Contains(n.Hash)));
        Assert.All(group.Select((n, i) => (n, i)), x => Assert.Equal(best.Contains(x.n.Hash) ? StoreOutcome.Stored : StoreOutcome.StoreFull, outcomes[x.i]));
        f.AssertConsistent();
    }

    [Fact]
    public void Order_key_sorts_by_cost_then_expiry_then_hash()
    {
        RecipientTag tag = RandomTag();
        NotificationHash h1 = Make().Hash, h2 = Make().Hash;
        (NotificationHash low, NotificationHash high) = h1.CompareTo(h2) < 0 ? (h1, h2) : (h2, h1);
        StoredEntry E(ulong value, int size, ulong expires, NotificationHash hash) => new(hash, tag, 1, expires, value, size);
        byte[] Key(StoredEntry e)
        {
            var key = new byte[StoreSchema.ByWorthKeySize];
            StoreSchema.WriteByWorth(key, e);
            Assert.Equal(e.Cost, StoreSchema.ReadWorthCost(key));
            return key;
        }
        static int Cmp(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

        // Least work per byte first: a lower value, or the same value on more bytes.
        Assert.True(Cmp(Key(E(0x10, 100, 9, low)), Key(E(0x20, 100, 1, low))) < 0);
        Assert.True(Cmp(Key(E(0x20, 200, 9, low)), Key(E(0x20, 100, 1, low))) < 0);
        // Equal cost (2^64−v)×size: the earliest expiry, then the lowest hash.
        ulong v1 = 0x8000000000000000, v2 = 0xc000000000000000; // (2^63)×100 = (2^62)×200
        Assert.Equal(E(v1, 100, 5, low).Cost, E(v2, 200, 5, low).Cost);
        Assert.True(Cmp(Key(E(v2, 200, 4, high)), Key(E(v1, 100, 5, low))) < 0);
        Assert.True(Cmp(Key(E(v1, 100, 5, low)), Key(E(v2, 200, 5, high))) < 0);
    }

    [Fact]
    public void Threshold_to_beat_is_the_least_value_that_costs_less_than_the_floor()
    {
        for (int i = 0; i < 1000; i++)
        {
            int size = Random.Shared.Next(60, 2200);
            UInt128 floor = StoreWorth.Cost((ulong)Random.Shared.NextInt64() | ((ulong)Random.Shared.Next(2) << 63), Random.Shared.Next(60, 2200));
            ulong t = StoreWorth.ThresholdToBeat(floor, size);
            if (t == ulong.MaxValue && StoreWorth.Cost(t, size) >= floor)
            {
                continue; // no work is enough
            }
            Assert.True(StoreWorth.Cost(t, size) < floor);
            if (t > 0)
            {
                Assert.True(StoreWorth.Cost(t - 1, size) >= floor);
            }
        }
    }

    [Fact]
    public void Floor_survives_a_restart()
    {
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 1 << 20 });
        f.Store.Put(Enumerable.Range(0, 50).Select(_ => Make(work: (ulong)Random.Shared.NextInt64())).ToArray());
        StoreFloor before = f.Store.Floor!.Value;
        Assert.NotEqual(UInt128.Zero, before.LeastWorthCost);
        f.Reopen();
        Assert.Equal(before, f.Store.Floor);
        f.AssertConsistent();
    }

    [Fact]
    public void A_schema_1_store_opens_with_its_worth_index_rebuilt()
    {
        Notification[] items = Enumerable.Range(0, 30).Select(_ => Make(payloadSize: 200, work: (ulong)Random.Shared.NextInt64())).ToArray();
        int size = Size(items[0]);
        using var f = new StoreFixture(new StoreOptions { MaxBytes = 30L * size });
        f.Store.Put(items);
        StoreFloor before = f.Store.Floor!.Value;
        f.Store.Dispose();
        DowngradeToSchema1(f.Path);

        f.Reopen();
        f.AssertConsistent();
        Assert.Equal(before, f.Store.Floor);
        Notification rich = Worth(Make(payloadSize: 200), 0xf000000000000000);
        Assert.Equal([StoreOutcome.Stored], f.Store.Put([rich]));
        Assert.False(f.Store.Contains(items.MinBy(n => n.WorkValue)!.Hash));
        f.AssertConsistent();
    }

    /// <summary>What a schema-1 node left: no by_worth family, version 1 in meta.</summary>
    private static void DowngradeToSchema1(string path)
    {
        var options = new DbOptions();
        var families = new ColumnFamilies();
        foreach (string name in RocksDb.ListColumnFamilies(options, path).Where(n => n != ColumnFamilies.DefaultName))
        {
            families.Add(name, new ColumnFamilyOptions());
        }
        using RocksDb db = RocksDb.Open(options, path, families);
        db.DropColumnFamily(StoreSchema.ByWorth);
        var version = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(version, 1);
        db.Put(StoreSchema.SchemaKey.ToArray(), version, db.GetColumnFamily(StoreSchema.Meta));
    }
}
