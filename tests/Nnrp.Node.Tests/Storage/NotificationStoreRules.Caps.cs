using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

public abstract partial class NotificationStoreRules
{
    [Fact]
    public void Full_tag_evicts_its_lowest_work_value_first()
    {
        INotificationStore store = Create(new StoreOptions { PerTagCap = 3 });
        RecipientTag tag = RandomTag();
        Notification low = WithWorkValue(Make(tag), 0, 0x3fffffffffffffff);
        Notification mid = WithWorkValue(Make(tag), 0x4000000000000000, 0x7fffffffffffffff);
        Notification high = WithWorkValue(Make(tag), 0x8000000000000000, 0xbfffffffffffffff);
        Notification top = WithWorkValue(Make(tag), 0xc000000000000000);
        store.Put([mid, low, high]);
        Assert.Equal([StoreOutcome.Stored], store.Put([top]));
        Assert.False(store.Contains(low.Hash));
        Assert.True(store.Contains(mid.Hash));
        Assert.True(store.Contains(top.Hash));
        AssertConsistent(store);
    }

    [Fact]
    public void Newcomer_with_less_work_than_a_full_tag_holds_is_refused()
    {
        INotificationStore store = Create(new StoreOptions { PerTagCap = 2 });
        RecipientTag tag = RandomTag();
        Notification a = WithWorkValue(Make(tag), 0x8000000000000000);
        Notification b = WithWorkValue(Make(tag), 0x8000000000000000);
        Notification cheap = WithWorkValue(Make(tag), 0, 0x7fffffffffffffff);
        store.Put([a, b]);
        Assert.Equal([StoreOutcome.TagFull], store.Put([cheap]));
        Assert.False(store.Contains(cheap.Hash));
        Assert.Equal(2, store.Statistics.Count);
        AssertConsistent(store);
    }

    [Fact]
    public void Group_larger_than_the_tag_cap_keeps_the_best_paid()
    {
        INotificationStore store = Create(new StoreOptions { PerTagCap = 5 });
        RecipientTag tag = RandomTag();
        Notification[] group = Enumerable.Range(0, 12).Select(_ => Make(tag, work: (ulong)Random.Shared.NextInt64())).ToArray();
        IReadOnlyList<StoreOutcome> outcomes = store.Put(group);
        Assert.Equal(5, outcomes.Count(o => o == StoreOutcome.Stored));
        Assert.Equal(7, outcomes.Count(o => o == StoreOutcome.TagFull));
        ulong lowestKept = group.Where((n, i) => outcomes[i] == StoreOutcome.Stored).Min(n => n.WorkValue);
        ulong highestRefused = group.Where((n, i) => outcomes[i] == StoreOutcome.TagFull).Max(n => n.WorkValue);
        Assert.True(lowestKept > highestRefused);
        AssertConsistent(store);
    }
}
