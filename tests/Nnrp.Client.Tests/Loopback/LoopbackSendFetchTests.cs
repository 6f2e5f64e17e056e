using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Network;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

namespace Nnrp.Client.Tests.Loopback;

/// <summary>The SDK against real nodes on loopback: libp2p, Noise, Yamux, /nnrp/1.0, RocksDB.</summary>
public sealed class LoopbackSendFetchTests
{
    [Fact]
    public async Task A_send_lands_on_three_real_nodes_with_valid_receipts_and_they_hold_it()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(3);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);

        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedNanoNym), Samples.Event(1, "hi"), Clients.EasySend).WaitAsync(LoopbackNodes.Limit);

        Assert.True(result.MetTarget, string.Join("; ", result.Failures.Select(f => f.Reason)));
        Assert.Equal(3, result.Receipts.Select(r => r.Node).Distinct().Count());
        for (int i = 0; i < 3; i++)
        {
            Assert.True(nodes.Node(i).Store.Contains(result.Hash));
        }
    }

    [Fact]
    public async Task With_two_of_five_nodes_down_a_send_still_lands_on_three()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(5);
        await nodes.StopAsync(1);
        await nodes.StopAsync(3);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);

        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(2), Clients.EasySend).WaitAsync(LoopbackNodes.Limit);

        Assert.True(result.MetTarget, string.Join("; ", result.Failures.Select(f => f.Reason)));
        Assert.Equal(2, result.Failures.Count);
    }

    [Fact]
    public async Task A_node_demanding_more_work_than_sent_stores_it_after_the_client_adds_work()
    {
        const ulong strict = 0xfff0000000000000UL;
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(1, strict);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);

        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(3), Clients.EasySend with { Replicas = 1 }).WaitAsync(LoopbackNodes.Limit);

        Assert.True(result.MetTarget, string.Join("; ", result.Failures.Select(f => f.Reason)));
        Assert.True(result.Notification.MeetsThreshold(strict));
    }

    [Fact]
    public async Task A_fetch_after_one_node_lost_its_data_still_returns_everything()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(3);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        Recipient recipient = Recipient.Parse(Samples.SeedUri);
        var sent = new List<NotificationHash>();
        for (int i = 0; i < 3; i++)
        {
            sent.Add((await client.SendAsync(recipient, Samples.Event(10 + i), Clients.EasySend).WaitAsync(LoopbackNodes.Limit)).Hash);
        }
        await nodes.LoseDataAsync(0);

        FetchResult result = await client.FetchAsync(Samples.SeedKey, Clients.EasyFetch).WaitAsync(LoopbackNodes.Limit);

        Assert.Equal(3, result.CompleteNodes);
        Assert.Equal(sent.Order(), result.Contents.Opened.Select(o => o.Hash).Order());
        Assert.Equal(Samples.Event(10), result.Contents.Opened.Single(o => o.Hash == sent[0]).Event);
    }

    [Fact]
    public async Task A_key_restored_from_the_seed_fetches_the_notifications_sent_to_its_NanoNym()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(2);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        NotificationKeyPair original = WalletKeys.FromSeed(Samples.SeedHex, 4);
        var nanoNym = new Nnrp.Core.Codecs.NanoNymAddress(new byte[32], new byte[32], original.ToUri().ToString());
        await client.SendAsync(Recipient.Parse(nanoNym.Encode()), Samples.Event(4), Clients.EasySend with { Replicas = 2 }).WaitAsync(LoopbackNodes.Limit);

        NotificationKeyPair restored = WalletKeys.FromSeed(Samples.SeedHex, 4);
        FetchResult result = await client.FetchAsync(restored, Clients.EasyFetch).WaitAsync(LoopbackNodes.Limit);

        Assert.Equal(Samples.Event(4), Assert.Single(result.Contents.Opened).Event);
        Assert.Equal(2, Assert.Single(result.Contents.Opened).Sources.Count);
    }

    [Fact]
    public async Task A_tampered_payload_on_one_node_is_reported_and_the_fetch_still_delivers_the_rest()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(2);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        NotificationKeyPair key = Samples.SeedKey;
        SendResult good = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(5), Clients.EasySend with { Replicas = 2 }).WaitAsync(LoopbackNodes.Limit);

        // A hostile node (or a sender who cheats) stores a copy whose ciphertext was altered;
        // it has valid work, so only opening it can tell.
        Notification original = NotificationSealer.SealPaymentEvent(key.PublicKey, Samples.Event(6), (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        byte[] payload = original.Payload.ToArray();
        payload[^3] ^= 0x55;
        Notification tampered = Samples.WithEasyWork(new Notification(1, original.RecipientTag, original.Timestamp, original.Ttl, payload, 0));
        await using (var raw = new Libp2pHost(KeyPair.Generate()))
        {
            await raw.StartAsync(CancellationToken.None);
            PublishResult stored = await new NnrpClient(raw).PublishAsync(Nnrp.Libp2p.Addressing.Multiaddr.Parse(nodes.Address(1)), tampered).WaitAsync(LoopbackNodes.Limit);
            Assert.True(stored.IsStored, stored.Message);
        }

        FetchResult result = await client.FetchAsync(key, Clients.EasyFetch).WaitAsync(LoopbackNodes.Limit);

        Assert.Equal(good.Hash, Assert.Single(result.Contents.Opened).Hash);
        RejectedNotification bad = Assert.Single(result.Contents.Rejected);
        Assert.Equal(RejectionReason.Undecryptable, bad.Reason);
        Assert.Equal(tampered.Hash, bad.Hash);
    }

    [Fact]
    public async Task Fetch_pages_through_the_cursor_of_a_real_node_and_the_checkpoint_skips_what_was_seen()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(2);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        Recipient recipient = Recipient.Parse(Samples.SeedUri);
        for (int i = 0; i < 5; i++)
        {
            await client.SendAsync(recipient, Samples.Event(20 + i), Clients.EasySend with { Replicas = 2 }).WaitAsync(LoopbackNodes.Limit);
        }

        FetchResult first = await client.FetchAsync(Samples.SeedKey, Clients.EasyFetch with { PageSize = 2 }).WaitAsync(LoopbackNodes.Limit);
        Assert.Equal(5, first.Contents.Opened.Count);
        Assert.All(first.Nodes, n => Assert.True(n.Pages >= 3, $"{n.Node}: {n.Pages} pages"));

        await client.SendAsync(recipient, Samples.Event(30), Clients.EasySend with { Replicas = 2 }).WaitAsync(LoopbackNodes.Limit);
        FetchResult second = await client.FetchAsync(Samples.SeedKey, Clients.EasyFetch, first.Checkpoint).WaitAsync(LoopbackNodes.Limit);
        Assert.Equal(Samples.Event(30), Assert.Single(second.Contents.Opened).Event);
        Assert.Equal(5, second.Contents.AlreadySeen);
    }

    [Fact]
    public async Task Status_of_a_real_node_reports_its_thresholds_and_clock()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(1);
        await using WalletClient client = await Clients.ConnectAsync(nodes.Addresses);
        var status = await client.StatusAsync(NodeAddress.Parse(nodes.Address(0))).WaitAsync(LoopbackNodes.Limit);
        Assert.Equal(1u, status.ProtocolVersion);
        Assert.Equal(Samples.EasyThreshold, status.BaseThreshold);
        Assert.InRange((long)status.Now, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }
}
