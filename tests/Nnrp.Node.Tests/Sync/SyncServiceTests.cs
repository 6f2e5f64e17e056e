using Google.Protobuf;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Host;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Sync;

/// <summary>NNRP.md §11.8 between two real nodes on loopback: pulls through the ingress gate, offers, limits.</summary>
public sealed class SyncServiceTests
{
    private static Notification Fresh(long now) =>
        Notifications.WithWorkValue(Notifications.Make(timestamp: now - Random.Shared.Next(0, 3600)), Notifications.CheapBase);

    private static async Task<List<Notification>> StoreAsync(IngressGate gate, IEnumerable<Notification> items)
    {
        var list = items.ToList();
        IngressResult[] results = await Task.WhenAll(list.Select(n => gate.SubmitAsync(n))).WaitAsync(NodeNetwork.Limit);
        Assert.All(results, r => Assert.Equal(IngressStatus.Accepted, r.Status));
        return list;
    }

    [Fact]
    public async Task A_node_pulls_what_it_missed_and_offers_what_the_peer_lacks()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync();
        await using NodeNetwork b = await NodeNetwork.StartAsync();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        List<Notification> shared = Enumerable.Range(0, 1500).Select(_ => Fresh(now)).ToList();
        List<Notification> onlyA = Enumerable.Range(0, 40).Select(_ => Fresh(now)).ToList();
        List<Notification> onlyB = Enumerable.Range(0, 7).Select(_ => Fresh(now)).ToList();
        await StoreAsync(a.Node.Ingress, shared.Concat(onlyA));
        await StoreAsync(b.Node.Ingress, shared.Concat(onlyB));

        await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        await using var sync = new SyncService(b.NodeHost, b.Node.Ingress);
        SyncOutcome outcome = await sync.SyncWithAsync(a.NodeHost.PeerId).WaitAsync(NodeNetwork.Limit);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Complete);
        Assert.Equal(onlyA.Count, outcome.Pulled);
        Assert.Equal(onlyB.Count, outcome.Offered);
        Assert.All(onlyA, n => Assert.True(b.Node.Store.Contains(n.Hash)));
        Assert.All(onlyB, n => Assert.True(a.Node.Store.Contains(n.Hash)));
        Assert.Equal(onlyA.Count, sync.Metrics.ItemsPulled);
        Assert.True(sync.Metrics.BytesSent > 0 && sync.Metrics.BytesReceived > 0);

        SyncOutcome again = await sync.SyncWithAsync(a.NodeHost.PeerId).WaitAsync(NodeNetwork.Limit);
        Assert.True(again.Complete);
        Assert.Equal(1, again.Rounds);
        Assert.Equal(0, again.Pulled);
    }

    [Fact]
    public async Task Pulled_notifications_pass_the_ingress_gate_so_expired_ones_are_not_stored()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync();
        await using NodeNetwork b = await NodeNetwork.StartAsync();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await StoreAsync(a.Node.Ingress, Enumerable.Range(0, 5).Select(_ => Fresh(now)));
        // B's gate demands more work than A's notifications carry: it must refuse every pull.
        await b.Node.Ingress.DisposeAsync();
        var strict = new IngressGate(b.Node.Store, new IngressOptions { Policy = new Core.Work.WorkPolicy { BaseThreshold = ulong.MaxValue } });
        await using (strict)
        {
            await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
            await using var sync = new SyncService(b.NodeHost, strict);
            SyncOutcome outcome = await sync.SyncWithAsync(a.NodeHost.PeerId).WaitAsync(NodeNetwork.Limit);
            Assert.Equal(0, outcome.Pulled);
            Assert.Equal(5, sync.Metrics.ItemsPullRefused);
            Assert.Equal(0, b.Node.Store.Statistics.Count);
        }
    }

    [Fact]
    public async Task Malformed_sync_requests_are_answered_BAD_FORM()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        SyncRequest[] bad =
        [
            new SyncRequest(),
            new SyncRequest { Reconcile = new SyncReconcile() },
            new SyncRequest { Get = new SyncGet() },
            new SyncRequest { Get = new SyncGet { Hashes = { ByteString.CopyFrom(new byte[31]) } } },
            new SyncRequest { Reconcile = new SyncReconcile { Ranges = { new Core.Protocol.SyncRange { Lower = new SyncBound { Timestamp = 5 }, Upper = new SyncBound { Timestamp = 1 }, Ids = ByteString.Empty } } } },
        ];
        foreach (SyncRequest request in bad)
        {
            await using Libp2pStream stream = await net.OpenStreamAsync();
            Response response = await NnrpClient.ExchangeAsync(stream, new Request { Sync = request }, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
            Assert.Equal(StatusCode.BadForm, response.Status);
        }
    }

    [Fact]
    public async Task A_peer_over_its_sync_rate_is_answered_RATE_LIMITED()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        SyncServer.Attach(new SyncServer(net.Node.Store, new SyncOptions { PeerBurst = 2, PeerRequestsPerSecond = 0.001 }));
        var request = new Request { Sync = new SyncRequest { Reconcile = new SyncReconcile { Ranges = { Nnrp.Protocol.Sync.SyncWire.ToProto(
            Nnrp.Protocol.Sync.SyncRange.WithIds(SyncBounds.Lowest, SyncBounds.Infinity, [])) } } } };
        var statuses = new List<StatusCode>();
        for (int i = 0; i < 3; i++)
        {
            await using Libp2pStream stream = await net.OpenStreamAsync();
            statuses.Add((await NnrpClient.ExchangeAsync(stream, request, CancellationToken.None).WaitAsync(NodeNetwork.Limit)).Status);
        }
        Assert.Equal([StatusCode.Ok, StatusCode.Ok, StatusCode.RateLimited], statuses);
    }
}
