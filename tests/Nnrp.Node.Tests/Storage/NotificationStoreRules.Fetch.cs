using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Storage;

public abstract partial class NotificationStoreRules
{
    private const ulong Now = 1_767_225_600;

    private static FetchQuery Prefix(int bits, byte[] prefix, ulong since = 0, uint limit = 0, byte[]? cursor = null) =>
        FetchQuery.FromProto(new FetchRequest
        {
            TagPrefix = new TagPrefix { Bits = (uint)bits, Prefix = Google.Protobuf.ByteString.CopyFrom(prefix) },
            Since = since,
            Limit = limit,
            Cursor = Google.Protobuf.ByteString.CopyFrom(cursor ?? []),
        });

    private List<Notification> All(FetchQuery first) => All(Store, first);

    private static List<Notification> All(INotificationStore store, FetchQuery first)
    {
        var result = new List<Notification>();
        FetchQuery query = first;
        for (int pages = 0; pages < 10_000; pages++)
        {
            NotificationPage page = store.Fetch(query, Now);
            result.AddRange(page.Notifications);
            if (!page.HasMore)
            {
                return result;
            }
            query = Next(query, page);
        }
        throw new InvalidOperationException("paging did not end");
    }

    /// <summary>The query for the page after <paramref name="page"/>, its cursor copied as a client would.</summary>
    private static FetchQuery Next(FetchQuery query, NotificationPage page)
    {
        var proto = Nnrp.Protocol.Requests.NnrpClient.ToProto(query);
        proto.Cursor = Google.Protobuf.ByteString.CopyFrom(page.NextCursor.Span);
        return FetchQuery.FromProto(proto);
    }

    [Fact]
    public void Fetch_by_tag_returns_only_that_tag_ordered_by_timestamp_then_hash()
    {
        RecipientTag tag = RandomTag();
        Notification[] mine = Enumerable.Range(0, 30).Select(i => Make(tag, timestamp: (long)Now - 100 + (i % 7))).ToArray();
        Store.Put([.. mine, Make(), Make()]);
        List<Notification> got = All(FetchQuery.ForTag(tag));
        Assert.Equal(mine.Select(n => n.Hash).Order(), got.Select(n => n.Hash).Order());
        Assert.Equal(got.OrderBy(n => n.Timestamp).ThenBy(n => n.Hash).Select(n => n.Hash), got.Select(n => n.Hash));
    }

    [Fact]
    public void Paging_with_the_cursor_returns_every_notification_exactly_once()
    {
        RecipientTag tag = RandomTag();
        Notification[] mine = Enumerable.Range(0, 23).Select(i => Make(tag, timestamp: (long)Now - (i % 3))).ToArray();
        Store.Put(mine);
        List<Notification> got = All(FetchQuery.ForTag(tag, limit: 5));
        Assert.Equal(23, got.Count);
        Assert.Equal(23, got.Select(n => n.Hash).Distinct().Count());
    }

    [Fact]
    public void Since_excludes_older_timestamps()
    {
        RecipientTag tag = RandomTag();
        Store.Put([Make(tag, timestamp: (long)Now - 50), Make(tag, timestamp: (long)Now - 10), Make(tag, timestamp: (long)Now)]);
        Assert.Equal(2, All(FetchQuery.ForTag(tag, since: Now - 10)).Count);
    }

    [Fact]
    public void Expired_notifications_are_hidden_before_the_sweep()
    {
        RecipientTag tag = RandomTag();
        Store.Put([Make(tag, timestamp: (long)Now - 100, ttl: 60), Make(tag, timestamp: (long)Now - 100, ttl: 3600)]);
        Assert.Single(All(FetchQuery.ForTag(tag)));
    }

    [Fact]
    public void A_page_that_ends_with_the_last_entry_has_no_cursor()
    {
        RecipientTag tag = RandomTag();
        Store.Put(Enumerable.Range(0, 5).Select(i => Make(tag, timestamp: (long)Now - i)).ToArray());
        NotificationPage whole = Store.Fetch(FetchQuery.ForTag(tag, limit: 5), Now);
        Assert.Equal(5, whole.Notifications.Count);
        Assert.False(whole.HasMore);
        NotificationPage first = Store.Fetch(FetchQuery.ForTag(tag, limit: 4), Now);
        Assert.Equal(4, first.Notifications.Count);
        Assert.True(first.HasMore);
        NotificationPage last = Store.Fetch(Next(FetchQuery.ForTag(tag, limit: 4), first), Now);
        Assert.Single(last.Notifications);
        Assert.False(last.HasMore);
        Assert.Empty(Store.Fetch(FetchQuery.ForTag(RandomTag()), Now).Notifications);
    }

    [Fact]
    public void A_cursor_resumes_after_its_entry_even_when_that_entry_is_gone()
    {
        RecipientTag tag = RandomTag();
        // The fourth lives 60 s: alive at the first page, swept before the second.
        Notification[] items = Enumerable.Range(0, 10).Select(i => Make(tag, timestamp: (long)Now - 100 + i, ttl: i == 3 ? 60u : 3600u)).ToArray();
        Store.Put(items);
        FetchQuery query = FetchQuery.ForTag(tag, limit: 4);
        NotificationPage first = Store.Fetch(query, Now - 50);
        Assert.Equal(items.Take(4).Select(n => n.Hash), first.Notifications.Select(n => n.Hash));
        Assert.Equal(1, Store.SweepExpired(Now, 100));
        List<Notification> rest = All(Next(query, first));
        Assert.Equal(items.Skip(4).Select(n => n.Hash), rest.Select(n => n.Hash));
    }

    [Fact]
    public void A_cursor_older_than_since_starts_at_since()
    {
        RecipientTag tag = RandomTag();
        Notification[] items = Enumerable.Range(0, 10).Select(i => Make(tag, timestamp: (long)Now - 100 + i)).ToArray();
        Store.Put(items);
        NotificationPage first = Store.Fetch(FetchQuery.ForTag(tag, limit: 2), Now);
        FetchQuery later = FetchQuery.ForTag(tag, since: Now - 95, cursor: first.NextCursor);
        Assert.Equal(items.Skip(5).Select(n => n.Hash), All(later).Select(n => n.Hash));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(4)]
    [InlineData(0)]
    public void Prefix_fetch_returns_every_tag_under_the_prefix(int bits)
    {
        byte[] full = [bits == 4 ? (byte)0xa0 : (byte)0xab, 0xc0];
        byte[] prefix = full[..((bits + 7) / 8)];
        Notification[] inside = Enumerable.Range(0, 15).Select(i => Make(TagStartingWith(0xab, (byte)(0xc0 | i)), timestamp: (long)Now - i)).ToArray();
        Notification[] outside = [Make(TagStartingWith(0xab, 0x10)), Make(TagStartingWith(0x5b)), Make(TagStartingWith(0xaa, 0xc0))];
        Store.Put([.. inside, .. outside]);
        FetchQuery query = Prefix(bits, prefix, limit: 4);
        List<Notification> got = All(query);
        var expected = inside.Concat(outside).Where(n => query.Matches(n.RecipientTag)).Select(n => n.Hash).Order().ToArray();
        Assert.Equal(expected, got.Select(n => n.Hash).Order());
        Assert.Equal(got.OrderBy(n => n.Timestamp).ThenBy(n => n.Hash).Select(n => n.Hash), got.Select(n => n.Hash));
    }

    [Fact]
    public void A_sparse_prefix_page_stops_at_the_scan_budget_with_a_cursor()
    {
        INotificationStore store = Create(new StoreOptions { MaxScanPerPage = 10 });
        Notification[] noise = Enumerable.Range(0, 40).Select(i => Make(TagStartingWith(0xab, 0x00), timestamp: (long)Now - 100 + i)).ToArray();
        Notification wanted = Make(TagStartingWith(0xab, 0xff), timestamp: (long)Now);
        store.Put([.. noise, wanted]);
        FetchQuery query = Prefix(16, [0xab, 0xff]);
        NotificationPage first = store.Fetch(query, Now);
        Assert.Empty(first.Notifications);
        Assert.True(first.HasMore);
        int pages = 1;
        var found = new List<Notification>();
        NotificationPage page = first;
        while (page.HasMore)
        {
            page = store.Fetch(Next(query, page), Now);
            found.AddRange(page.Notifications);
            pages++;
        }
        Assert.Equal(wanted.Hash, Assert.Single(found).Hash);
        Assert.InRange(pages, 4, 6);
    }

    [Fact]
    public void Cursor_not_issued_by_the_node_is_refused_as_bad_form()
    {
        RecipientTag tag = RandomTag();
        for (int i = 0; i < 500; i++)
        {
            byte[] cursor = new byte[Random.Shared.Next(1, 65)];
            Random.Shared.NextBytes(cursor);
            if (cursor.Length == 41)
            {
                cursor[0] = 2;
            }
            Assert.Throws<NnrpFormatException>(() => Store.Fetch(FetchQuery.ForTag(tag, cursor: cursor), Now));
        }
    }

    [Fact]
    public void Random_well_formed_cursors_never_fail()
    {
        RecipientTag tag = RandomTag();
        Store.Put(Enumerable.Range(0, 10).Select(_ => Make(tag)).ToArray());
        for (int i = 0; i < 200; i++)
        {
            byte[] cursor = new byte[41];
            Random.Shared.NextBytes(cursor);
            cursor[0] = 1;
            NotificationPage page = Store.Fetch(FetchQuery.ForTag(tag, cursor: cursor), Now);
            Assert.True(page.Notifications.Count <= 10);
        }
    }
}
