using Google.Protobuf;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Protocol;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Protocol;

/// <summary>NNRP.md §11 over real libp2p hosts on loopback: publish with receipt, fetch, status.</summary>
public sealed class PublishFetchTests : IAsyncLifetime
{
    private NodeNetwork _net = null!;

    public async Task InitializeAsync() => _net = await NodeNetwork.StartAsync();

    public async Task DisposeAsync() => await _net.DisposeAsync();

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static Notification Valid(RecipientTag? tag = null) => WithWorkValue(Make(tag, timestamp: Now), CheapBase);

    [Fact]
    public async Task Publish_is_answered_OK_with_a_receipt_signed_by_the_node()
    {
        Notification n = Valid();
        PublishResult r = await _net.Client.PublishAsync(_net.NodeAddress, n).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(StatusCode.Ok, r.Status);
        Assert.NotNull(r.Receipt);
        Assert.True(StoreReceipts.Verify(r.Receipt));
        Assert.Equal(n.ExpiresAt, r.Receipt.ExpiresAt);
        Assert.Equal(_net.NodeHost.Identity.PublicKey.Raw.ToArray(), r.Receipt.NodePublicKey.ToByteArray());
        Assert.True(_net.Node.Store.Contains(n.Hash));
    }

    [Fact]
    public async Task Duplicate_publish_still_returns_hash_and_receipt()
    {
        Notification n = Valid();
        await _net.Client.PublishAsync(_net.NodeAddress, n).WaitAsync(NodeNetwork.Limit);
        PublishResult again = await _net.Client.PublishAsync(_net.NodeHost.PeerId, n).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(StatusCode.Duplicate, again.Status);
        Assert.True(again.IsStored);
        Assert.True(StoreReceipts.Verify(again.Receipt!));
    }

    [Fact]
    public async Task Short_work_is_answered_INSUFFICIENT_WORK_with_the_required_threshold()
    {
        Notification n = WithWorkValue(Make(timestamp: Now), 0, CheapBase - 1);
        PublishResult r = await _net.Client.PublishAsync(_net.NodeAddress, n).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(StatusCode.InsufficientWork, r.Status);
        Assert.Equal(CheapBase, r.RequiredThreshold);
        Assert.Null(r.Receipt);
    }

    [Fact]
    public async Task Expired_and_future_are_answered_with_their_codes()
    {
        Assert.Equal(StatusCode.Expired, (await _net.Client.PublishAsync(_net.NodeAddress, Make(timestamp: Now - 100, ttl: 60))).Status);
        Assert.Equal(StatusCode.Future, (await _net.Client.PublishAsync(_net.NodeAddress, Make(timestamp: Now + 700))).Status);
    }

    [Fact]
    public async Task Fetch_by_tag_pages_through_the_whole_mailbox()
    {
        RecipientTag tag = RandomTag();
        Notification[] mine = Enumerable.Range(0, 12).Select(_ => Valid(tag)).ToArray();
        foreach (Notification n in mine)
        {
            Assert.Equal(StatusCode.Ok, (await _net.Client.PublishAsync(_net.NodeAddress, n)).Status);
        }
        await _net.Client.PublishAsync(_net.NodeAddress, Valid());
        NotificationPage first = await _net.Client.FetchAsync(_net.NodeAddress, FetchQuery.ForTag(tag, limit: 5)).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(5, first.Notifications.Count);
        Assert.True(first.HasMore);
        var all = new List<Notification>();
        await foreach (Notification n in _net.Client.FetchAllAsync(_net.NodeHost.PeerId, FetchQuery.ForTag(tag, limit: 5)))
        {
            all.Add(n);
        }
        Assert.Equal(mine.Select(n => n.Hash).Order(), all.Select(n => n.Hash).Order());
    }

    [Fact]
    public async Task Fetch_by_prefix_returns_every_tag_under_it()
    {
        Notification inside1 = Valid(TagStartingWith(0x7e, 0x10));
        Notification inside2 = Valid(TagStartingWith(0x7e, 0x1f));
        Notification outside = Valid(TagStartingWith(0x7e, 0x20));
        foreach (Notification n in new[] { inside1, inside2, outside })
        {
            await _net.Client.PublishAsync(_net.NodeAddress, n);
        }
        FetchQuery query = FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 12, Prefix = ByteString.CopyFrom(0x7e, 0x10) } });
        NotificationPage page = await _net.Client.FetchAsync(_net.NodeAddress, query).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(new[] { inside1.Hash, inside2.Hash }.Order(), page.Notifications.Select(n => n.Hash).Order());
    }

    [Fact]
    public async Task Prefix_under_8_bits_is_answered_OVER_CAPACITY()
    {
        FetchQuery query = FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 4, Prefix = ByteString.CopyFrom(0x70) } });
        var ex = await Assert.ThrowsAsync<NnrpRefusedException>(() => _net.Client.FetchAsync(_net.NodeAddress, query));
        Assert.Equal(StatusCode.OverCapacity, ex.Status);
    }

    [Fact]
    public async Task Limit_over_500_is_answered_BAD_FORM()
    {
        await using var stream = await _net.OpenStreamAsync();
        var request = new Request { Fetch = new FetchRequest { RecipientTag = ByteString.CopyFrom(new byte[32]), Limit = 501 } };
        Response r = await NnrpClient.ExchangeAsync(stream, request, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(StatusCode.BadForm, r.Status);
    }

    [Fact]
    public async Task Status_reports_thresholds_counts_and_limits()
    {
        await _net.Client.PublishAsync(_net.NodeAddress, Valid());
        StatusResponse s = await _net.Client.StatusAsync(_net.NodeAddress).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(1u, s.ProtocolVersion);
        Assert.Equal(CheapBase, s.BaseThreshold);
        Assert.Equal(CheapBase, s.CurrentThreshold);
        Assert.Equal(1UL, s.Stored);
        Assert.Equal(500u, s.MaxPage);
        Assert.Equal(2048u, s.MaxPayload);
        Assert.InRange((long)s.Now, Now - 60, Now + 60);
        Assert.Equal(0u, Assert.Single(s.Shards).Bits);
    }
}
