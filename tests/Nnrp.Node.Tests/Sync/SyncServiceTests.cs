using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Gossip;
using Nnrp.Node.Decisions;
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
        Decision[] results = await Task.WhenAll(list.Select(n => gate.SubmitAsync(n))).WaitAsync(NodeNetwork.Limit);
        Assert.All(results, r => Assert.Equal(DecisionStatus.Accepted, r.Status));
        return list;
    }

    /// <summary>
    /// Both nodes gossip too; without IHAVE gossip of recent messages (§14.3) to a peer that
    /// connects later, what one node stored before the connection reaches the other by sync alone.
    /// </summary>
    private static NnrpNodeOptions NoGossipReplay(NnrpNodeOptions options) =>
        options with { Gossip = NotificationGossip.DefaultOptions(options.PrivateNetwork) with { HistoryGossip = 0 } };

    [Fact]
    public async Task A_node_pulls_what_it_missed_and_offers_what_the_peer_lacks()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync(configure: NoGossipReplay);
        await using NodeNetwork b = await NodeNetwork.StartAsync(configure: NoGossipReplay);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        List<Notification> shared = Enumerable.Range(0, 1500).Select(_ => Fresh(now)).ToList();
        List<Notification> onlyA = Enumerable.Range(0, 40).Select(_ => Fresh(now)).ToList();
        List<Notification> onlyB = Enumerable.Range(0, 7).Select(_ => Fresh(now)).ToList();
        await StoreAsync(a.Node.Ingress, shared.Concat(onlyA));
        await StoreAsync(b.Node.Ingress, shared.Concat(onlyB));

        await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        SyncService sync = b.Node.Sync;
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
    public async Task A_wallet_that_does_not_serve_nnrp_gets_no_sync_session_while_a_node_does()
    {
        // A syncs on connect (the schedule starts once its DHT is ready); B only answers.
        await using NodeNetwork a = await NodeNetwork.StartAsync(configure: o => o with { SyncOnSchedule = true });
        await a.Node.DhtReady.WaitAsync(NodeNetwork.Limit);
        await using NodeNetwork b = await NodeNetwork.StartAsync();
        // A wallet as a browser page is one: libp2p with identify, no /nnrp/1.0 handler.
        await using var wallet = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [] }, NullLoggerFactory.Instance);
        new IdentifyService(wallet).Start();
        await wallet.StartAsync(CancellationToken.None);
        await wallet.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        await a.Node.Identify.WaitForIdentifyAsync(wallet.PeerId, CancellationToken.None).WaitAsync(NodeNetwork.Limit);

        // A node connects after the wallet: its session is queued behind anything the wallet caused.
        await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        SyncMetrics metrics = a.Node.Sync.Metrics;
        await NodeNetwork.UntilAsync(() => metrics.Rounds >= 1, "a reconciled with b");

        Assert.Equal(1, metrics.Sessions);
        Assert.Equal(0, metrics.SessionsFailed);
    }

    [Fact]
    public async Task Pulled_notifications_pass_the_ingress_gate_so_expired_ones_are_not_stored()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync();
        // B's gate demands more work than A's notifications carry: it must refuse every pull.
        await using NodeNetwork b = await NodeNetwork.StartAsync(configure: o => o with
        {
            Ingress = new IngressOptions { Policy = new Core.Work.WorkPolicy { BaseThreshold = ulong.MaxValue } },
        });
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await StoreAsync(a.Node.Ingress, Enumerable.Range(0, 5).Select(_ => Fresh(now)));
        await b.NodeHost.DialAsync(a.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        SyncOutcome outcome = await b.Node.Sync.SyncWithAsync(a.NodeHost.PeerId).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(0, outcome.Pulled);
        Assert.Equal(5, b.Node.Sync.Metrics.ItemsPullRefused);
        Assert.Equal(0, b.Node.Store.Statistics.Count);
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
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: o => o with { Sync = new SyncOptions { PeerBurst = 2, PeerRequestsPerSecond = 0.001 } });
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
