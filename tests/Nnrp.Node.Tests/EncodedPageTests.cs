using Nnrp.Core.Notifications;
using Nnrp.Protocol.Requests;
using Nnrp.Node.Tests.Testing;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests;

public sealed class EncodedPageTests
{
    [Fact]
    public void Holds_each_item_apart_in_order_past_its_first_buffer()
    {
        // 400 items of up to ~2.3 KB: far past the first 64 KiB and 64 offsets.
        byte[][] items = Enumerable.Range(0, 400).Select(i => Enumerable.Repeat((byte)i, i * 13 % NotificationLimits.MaxEncodedSize).ToArray()).ToArray();
        using var page = new EncodedPage();
        foreach (byte[] item in items)
        {
            page.Add(item, item.Length / 2);
        }

        Assert.Equal(items.Length, page.Count);
        Assert.Equal(items.Sum(i => (long)i.Length), page.EncodedBytes);
        Assert.Equal(items.Sum(i => (long)(i.Length / 2)), page.PayloadBytes);
        Assert.Equal(items, page.Select(m => m.ToArray()));
        Assert.Equal(items[123], page[123].ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => page[items.Length]);
    }

    [Fact]
    public void Encodes_a_decoded_page_once_and_keeps_its_cursor()
    {
        Notification[] notifications = Enumerable.Range(0, 3).Select(i => Notifications.Make(payloadSize: i * 100)).ToArray();
        using EncodedPage page = EncodedPage.Encode(new NotificationPage(notifications, new byte[] { 9, 8 }));

        Assert.Equal(notifications.Select(NotificationProtobuf.Encode), page.Select(m => m.ToArray()));
        Assert.Equal(notifications.Sum(n => (long)n.Payload.Length), page.PayloadBytes);
        Assert.Equal([9, 8], page.NextCursor.ToArray());
    }

    [Fact]
    public void A_payload_longer_than_its_notification_is_refused()
    {
        using var page = new EncodedPage();
        Assert.Throws<ArgumentOutOfRangeException>(() => page.Add([1, 2], 3));
        Assert.Empty(page);
    }

    [Fact]
    public void A_disposed_page_is_empty_and_takes_nothing_more()
    {
        var page = new EncodedPage();
        page.Add([1, 2, 3], 1);
        page.Dispose();
        page.Dispose();

        Assert.Empty(page);
        Assert.Throws<ObjectDisposedException>(() => page.Add([4], 0));
    }
}
