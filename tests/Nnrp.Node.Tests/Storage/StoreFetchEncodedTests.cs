using Google.Protobuf;
using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Protocol.Requests;
using Nnrp.Core.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Storage;

/// <summary>
/// <see cref="RocksDbNotificationStore.FetchEncoded"/> is <see cref="RocksDbNotificationStore.Fetch"/>
/// without the decode: the same items in the same order, each exactly its §3.4 encoding, the
/// same cursor — for every index a fetch can walk, across pages, with expired items hidden.
/// </summary>
public sealed class StoreFetchEncodedTests : IDisposable
{
    private const ulong Now = 1_767_225_600;
    private readonly StoreFixture _f = new(new StoreOptions { MaxScanPerPage = 16 });

    public void Dispose() => _f.Dispose();

    private static FetchQuery Prefix(int bits, byte[] prefix, uint limit, ReadOnlyMemory<byte> cursor) =>
        FetchQuery.FromProto(new FetchRequest
        {
            TagPrefix = new TagPrefix { Bits = (uint)bits, Prefix = ByteString.CopyFrom(prefix) },
            Limit = limit,
            Cursor = ByteString.CopyFrom(cursor.Span),
        });

    [Theory]
    [InlineData(256)] // exact tag: by_tag
    [InlineData(12)]  // by_shard8
    [InlineData(4)]   // by_time
    public void Every_page_holds_the_decoded_pages_items_as_their_encodings_and_the_same_cursor(int bits)
    {
        RecipientTag tag = TagStartingWith(0xab, 0xc5);
        Notification[] mine = Enumerable.Range(0, 40)
            .Select(i => Make(tag, timestamp: (long)Now - i % 9, ttl: i % 5 == 0 ? 60 : NotificationLimits.DefaultTtl, payloadSize: i * 37 % 300, work: (ulong)i))
            .ToArray();
        Notification[] neighbours = Enumerable.Range(0, 20).Select(i => Make(TagStartingWith(0xab, (byte)(i * 16)), timestamp: (long)Now - i % 4)).ToArray();
        _f.Store.Put([.. mine, .. neighbours, Make(TagStartingWith(0x11))]);
        // Every fifth of mine has ttl 60 and a timestamp up to 8 s old: expired 100 s later.
        ulong now = Now + 100;
        // The prefix's unused low bits are zero (§11.5).
        byte[] prefix = bits == 256 ? tag.ToArray() : bits == 12 ? [0xab, 0xc0] : [0xa0];
        ReadOnlyMemory<byte> cursor = ReadOnlyMemory<byte>.Empty;
        int pages = 0;
        int items = 0;
        do
        {
            FetchQuery query = bits == 256 ? FetchQuery.ForTag(tag, limit: 7, cursor: cursor.ToArray()) : Prefix(bits, prefix, 7, cursor);
            NotificationPage decoded = _f.Store.Fetch(query, now);
            using EncodedPage encoded = _f.Store.FetchEncoded(query, now);

            Assert.Equal(decoded.Notifications.Select(NotificationProtobuf.Encode), encoded.Select(e => e.ToArray()));
            Assert.Equal(decoded.NextCursor.ToArray(), encoded.NextCursor.ToArray());
            Assert.All(encoded, e => Assert.True(NotificationProtobuf.Decode(e.Span).ExpiresAt > now));
            Assert.Equal(FetchBudget.PageBytes(decoded), FetchBudget.PageBytes(encoded));
            items += encoded.Count;
            cursor = encoded.NextCursor.ToArray();
            pages++;
        }
        while (!cursor.IsEmpty && pages < 100);

        int expected = mine.Concat(neighbours).Count(n => n.ExpiresAt > now && (bits == 256 ? n.RecipientTag == tag : Prefix(bits, prefix, 1, default).Matches(n.RecipientTag)));
        Assert.Equal(expected, items);
        Assert.True(pages > 2, "the walk took several pages");
    }

    [Fact]
    public void A_cursor_not_issued_by_the_node_is_refused_as_bad_form()
    {
        Assert.Throws<NnrpFormatException>(() => _f.Store.FetchEncoded(FetchQuery.ForTag(RandomTag(), cursor: new byte[] { 2, 3, 4 }), Now));
    }

    [Fact]
    public void An_empty_mailbox_is_an_empty_page_without_a_cursor()
    {
        using EncodedPage page = _f.Store.FetchEncoded(FetchQuery.ForTag(RandomTag()), Now);
        Assert.Empty(page);
        Assert.True(page.NextCursor.IsEmpty);
    }

    [Fact]
    public void A_store_that_keeps_decoded_notifications_encodes_its_page_through_the_default()
    {
        RecipientTag tag = RandomTag();
        _f.Store.Put(Enumerable.Range(0, 5).Select(i => Make(tag, timestamp: (long)Now - i)).ToArray());
        INotificationStore wrapped = new ControlledStore(_f.Store);
        FetchQuery query = FetchQuery.ForTag(tag, limit: 3);

        using EncodedPage viaDefault = wrapped.FetchEncoded(query, Now);
        using EncodedPage direct = _f.Store.FetchEncoded(query, Now);

        Assert.Equal(direct.Select(e => e.ToArray()), viaDefault.Select(e => e.ToArray()));
        Assert.Equal(direct.NextCursor.ToArray(), viaDefault.NextCursor.ToArray());
    }
}
