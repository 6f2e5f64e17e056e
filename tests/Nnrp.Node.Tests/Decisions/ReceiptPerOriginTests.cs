using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Decisions;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Receipts;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Decisions;

/// <summary>
/// NNRP.md §11.6 through the façade: a publisher (a /nnrp/1.0 peer, an HTTP client, the node
/// itself) gets the node's signed receipt, DUPLICATE included; a gossip peer or a sync pull gets
/// none (nobody reads it, and a signature each would cost for nothing).
/// </summary>
public sealed class ReceiptPerOriginTests
{
    [Fact]
    public async Task A_publisher_gets_a_receipt_signed_by_the_node_identity_also_for_a_duplicate()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        Notification n = Fresh();
        Origin[] publishers = [Origin.Peer(net.ClientHost.PeerId), Origin.HttpClient(System.Net.IPAddress.Loopback), Origin.Local];

        Decision first = await net.Node.PublishAsync(n, publishers[0]).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(DecisionStatus.Accepted, first.Status);
        foreach (Origin origin in publishers)
        {
            Decision d = await net.Node.PublishAsync(n, origin).WaitAsync(NodeNetwork.Limit);
            Assert.True(d.IsStored);
            Assert.True(ReceiptVerifier.TryVerify(d.Receipt, n, net.NodeHost.PeerId, out VerifiedReceipt? receipt, out string? error), error);
            Assert.Equal(n.ExpiresAt, receipt.ExpiresAt);
        }
    }

    [Fact]
    public async Task Gossip_and_sync_origins_get_no_receipt()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        PeerId other = KeyPair.Generate().PeerId;

        Decision gossiped = await net.Node.PublishAsync(Fresh(), Origin.GossipPeer(other)).WaitAsync(NodeNetwork.Limit);
        Decision pulled = await net.Node.PublishAsync(Fresh(), Origin.SyncPull(other)).WaitAsync(NodeNetwork.Limit);

        Assert.Equal(DecisionStatus.Accepted, gossiped.Status);
        Assert.Equal(DecisionStatus.Accepted, pulled.Status);
        Assert.Null(gossiped.Receipt);
        Assert.Null(pulled.Receipt);
    }

    [Fact]
    public async Task Bytes_that_are_not_a_notification_are_bad_form_counted_by_the_gate()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        long before = net.Node.Ingress.Count(DecisionStatus.BadForm);

        Decision d = await net.Node.PublishAsync(new byte[] { 0x0a, 0xff, 0x01 }, Origin.GossipPeer(KeyPair.Generate().PeerId)).WaitAsync(NodeNetwork.Limit);
        Decision empty = await net.Node.PublishAsync((Core.Protocol.Notification?)null, Origin.Peer(net.ClientHost.PeerId)).WaitAsync(NodeNetwork.Limit);

        Assert.Equal(DecisionStatus.BadForm, d.Status);
        Assert.Equal(DecisionStatus.BadForm, empty.Status);
        Assert.Null(d.Receipt);
        Assert.Equal(before + 2, net.Node.Ingress.Count(DecisionStatus.BadForm));
    }

    private static Notification Fresh() =>
        Notifications.WithWorkValue(Notifications.Make(timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Notifications.CheapBase);
}
