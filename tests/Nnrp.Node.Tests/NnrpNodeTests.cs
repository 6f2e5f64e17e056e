using System.Net;
using System.Net.Sockets;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests;

/// <summary>The composition root: what <see cref="NnrpNode.StartAsync"/> starts, and that <see cref="NnrpNode.DisposeAsync"/> stops it all, the store last.</summary>
public sealed class NnrpNodeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static NnrpNodeOptions Options(TempDirectory dir) => new()
    {
        DataDirectory = dir.Path,
        Ingress = new IngressOptions { Policy = Notifications.CheapPolicy },
        PrivateNetwork = true,
    };

    private static Notification Fresh() =>
        Notifications.WithWorkValue(Notifications.Make(Notifications.RandomTag(), timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Notifications.CheapBase);

    [Fact]
    public async Task The_root_starts_every_part_and_its_dispose_stops_them_and_closes_the_store_last()
    {
        using var dir = new TempDirectory();
        NnrpNode node = await NnrpNode.StartAsync(Options(dir)).WaitAsync(Limit);
        Notification stored = Fresh();
        try
        {
            Assert.True(node.IsStoreOpen);
            await node.DhtReady.WaitAsync(Limit);
            Assert.True(node.IsDhtBootstrapped);
            Assert.Equal(node.Host.PeerId, node.PeerId);
            Assert.Contains(node.Addresses, a => a.ToString().EndsWith("/p2p/" + node.PeerId, StringComparison.Ordinal));
            Assert.Superset(new HashSet<string>([NnrpProtocol.Id, IdentifyService.ProtocolId, PingService.ProtocolId, PerfService.ProtocolId,
                KadOptions.DefaultProtocolId, "/meshsub/1.1.0"]), node.Host.Protocols.ToHashSet());
            Assert.Equal(DecisionStatus.Accepted, (await node.Ingress.SubmitAsync(stored).WaitAsync(Limit)).Status);
            Assert.True(File.Exists(Path.Combine(dir.Path, "node.key")));
        }
        finally
        {
            await node.DisposeAsync().AsTask().WaitAsync(Limit);
        }

        Assert.False(node.IsStoreOpen);
        Assert.Empty(node.Host.ListenAddresses);
        Assert.Throws<StoreUnavailableException>(() => node.Store.Contains(stored.Hash));
        // Closed means flushed and unlocked: the same store opens again, with what was accepted.
        using RocksDbNotificationStore reopened = RocksDbNotificationStore.Open(Path.Combine(dir.Path, "store"));
        Assert.True(reopened.Contains(stored.Hash));
    }

    [Fact]
    public async Task A_node_that_cannot_listen_stops_what_it_started_and_keeps_its_identity_across_starts()
    {
        using var dir = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        NnrpNodeOptions options = Options(dir) with
        {
            Host = new Libp2p.Host.HostOptions { ListenAddresses = [Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}")] },
        };

        await Assert.ThrowsAnyAsync<IOException>(() => NnrpNode.StartAsync(options).WaitAsync(Limit));

        // The failed start closed its store (else RocksDB's lock would refuse this one) and kept the key it made.
        taken.Stop();
        byte[] key = File.ReadAllBytes(Path.Combine(dir.Path, "node.key"));
        await using NnrpNode node = await NnrpNode.StartAsync(Options(dir)).WaitAsync(Limit);
        Assert.True(node.IsStoreOpen);
        Assert.Equal(key, File.ReadAllBytes(Path.Combine(dir.Path, "node.key")));
    }

    [Fact]
    public async Task Two_root_built_nodes_serve_nnrp_gossip_and_sync_to_each_other()
    {
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        using var dirC = new TempDirectory();
        // Without IHAVE gossip of recent messages, what C missed before it came can reach it by sync alone.
        GossipSubOptions gossip = NotificationGossip.DefaultOptions(privateNetwork: true, TimeSpan.FromMilliseconds(100)) with { HistoryGossip = 0 };
        await using NnrpNode a = await NnrpNode.StartAsync(Options(dirA) with { Gossip = gossip }).WaitAsync(Limit);
        NnrpNodeOptions Joining(TempDirectory dir) => Options(dir) with { Gossip = gossip, Dht = new NodeDhtOptions { BootstrapPeers = [a.Addresses[0]] } };
        await using NnrpNode b = await NnrpNode.StartAsync(Joining(dirB)).WaitAsync(Limit);
        await b.DhtReady.WaitAsync(Limit);
        Assert.Equal(1, b.Kad.RoutingTable.Count);
        await NodeNetwork.UntilAsync(() => NotificationGossip.Topics.All(t => a.Gossip.GetMeshPeers(t).Count == 1 && b.Gossip.GetMeshPeers(t).Count == 1),
            "A and B graft each other on every notification topic", Limit);

        // /nnrp/1.0 at A from B's host, then gossip carries it to B.
        Notification published = Fresh();
        var client = new NnrpClient(b.Host);
        PublishResult result = await client.PublishAsync(a.PeerId, published).WaitAsync(Limit);
        Assert.Equal(Core.Protocol.StatusCode.Ok, result.Status);
        await NodeNetwork.UntilAsync(() => b.Store.Contains(published.Hash), "B has the notification by gossip", Limit);

        // C joins later: sync on connect (§11.8) brings what A and B stored before — C pulls it, or A or B offers it first.
        await using NnrpNode c = await NnrpNode.StartAsync(Joining(dirC)).WaitAsync(Limit);
        long BySync() => c.Sync.Metrics.ItemsPulled + a.Sync.Metrics.ItemsOffered + b.Sync.Metrics.ItemsOffered;
        await NodeNetwork.UntilAsync(() => c.Store.Contains(published.Hash) && BySync() >= 1, "C has the notification by sync", Limit);

        // A stopped node saved its routing table (NNRP.md §14.2), so a restart needs no bootstrap peer.
        await b.DisposeAsync();
        Assert.Contains(a.PeerId.ToString(), File.ReadAllText(Path.Combine(dirB.Path, "kad-peers.txt")), StringComparison.Ordinal);
    }
}
