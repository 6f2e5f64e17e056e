using System.Net;
using System.Net.Sockets;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Crawl;
using Nnrp.Node.Gossip;
using Nnrp.Node.Shards;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Shards;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Crawl;

/// <summary>
/// <see cref="NetworkCrawler"/> against real nodes on loopback: given one bootstrap address it
/// maps every node (identify, status, DHT providers of (0, 0)), flags a shard with fewer than 3
/// reachable verified providers, and reports dead and silent peers without waiting past their timeout.
/// </summary>
public sealed class NetworkCrawlerTests
{
    [Fact]
    public async Task From_one_bootstrap_address_the_crawl_finds_every_node_with_its_agent_protocols_store_and_the_shard_replicated()
    {
        await using CrawlTestnet net = await CrawlTestnet.StartAsync(5);
        var client = new NnrpClient(net.Nodes[1].Host);
        // NNRP.md §14.3: gossip reaches a node once the publisher knows it on the tag's topic (of 256).
        await NodeNetwork.UntilAsync(() => NotificationGossip.Topics.All(t => net.Nodes[0].Gossip.GetTopicPeers(t).Count == net.Nodes.Count - 1),
            "the first node knows every other on every notification topic", CrawlTestnet.Limit);
        for (int i = 0; i < 3; i++)
        {
            Notification n = Notifications.WithWorkValue(Notifications.Make(Notifications.RandomTag(), timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Notifications.CheapBase);
            await client.PublishAsync(net.Nodes[0].PeerId, n).WaitAsync(CrawlTestnet.Limit);
        }
        await NodeNetwork.UntilAsync(() => net.Nodes.All(n => n.Store.Statistics.Count == 3), "every node holds the 3 notifications", CrawlTestnet.Limit);

        NetworkMap map = await NetworkCrawler.CrawlAsync(CrawlTestnet.CrawlOptions([net.FirstAddress])).WaitAsync(CrawlTestnet.Limit);

        Assert.True(map.Crawl.Complete);
        Assert.Equal(1, map.Crawl.BootstrapReached);
        Assert.Equal(net.Nodes.Select(n => n.PeerId).ToHashSet(), map.Nodes.Select(r => r.Peer.Peer).ToHashSet());
        foreach (NnrpNode node in net.Nodes)
        {
            NodeReport report = map.Nodes.Single(r => r.Peer.Peer.Equals(node.PeerId));
            Assert.True(report.Peer.Reachable, report.Peer.Error);
            Assert.Null(report.Peer.Error);
            Assert.Equal(node.Host.Options.AgentVersion, report.Peer.AgentVersion);
            Assert.True(report.ServesNnrp);
            Assert.True(report.Peer.ServesKad);
            Assert.Contains(KadOptions.DefaultProtocolId, report.Peer.Protocols);
            Assert.True(report.Peer.KadRequests >= 1);
            Assert.Equal(["tcp"], report.Transports);
            Assert.Contains(report.Peer.DialedAddress!, node.Host.ListenAddresses);
            Assert.NotNull(report.Status);
            Assert.Equal(3UL, report.Status.Stored);
            Assert.Equal(node.Status().CurrentThreshold, report.Status.CurrentThreshold);
            Assert.Equal(node.Status().Agent, report.Status.Agent);
            Assert.Contains(report.Status.Shards, s => s.Bits == 0 && s.Index == 0);
        }
        ShardReport full = Assert.Single(map.Shards);
        Assert.Equal((0, 0u), (full.Bits, full.Index));
        Assert.Equal(ShardKeys.CidString(0, 0), full.Cid);
        Assert.Equal(net.Nodes.Select(n => n.PeerId).ToHashSet(), full.Providers.ToHashSet());
        Assert.Equal(5, full.ReachableVerified);
        Assert.False(full.UnderReplicated);
    }

    [Fact]
    public async Task A_shard_with_two_providers_is_flagged_under_replicated()
    {
        await using CrawlTestnet net = await CrawlTestnet.StartAsync(2);

        NetworkMap map = await NetworkCrawler.CrawlAsync(CrawlTestnet.CrawlOptions([net.FirstAddress])).WaitAsync(CrawlTestnet.Limit);

        Assert.Equal(2, map.Nodes.Count(r => r.Peer.Reachable && r.Status is not null));
        ShardReport full = Assert.Single(map.Shards);
        Assert.Equal(2, full.ReachableVerified);
        Assert.True(full.UnderReplicated);
    }

    [Fact]
    public async Task A_provider_counts_for_a_shard_only_when_its_status_lists_a_shard_containing_it()
    {
        // Nodes 0–2 hold (1, 0) and still have records of (0, 0), as after a move deeper (§8.5);
        // node 3 holds (1, 1) and claims (1, 0) too.
        ShardSet[] held = [Fixed(1, 0), Fixed(1, 0), Fixed(1, 0), Fixed(1, 1)];
        await using CrawlTestnet net = await CrawlTestnet.StartAsync(held.Length,
            (i, o) => o with { Shards = new ShardOptions { Setting = new ShardSetting { Fixed = held[i] } } });
        byte[] full = ShardKeys.WireKey(0, 0);
        byte[] lower = ShardKeys.WireKey(1, 0);
        for (int i = 0; i < held.Length; i++)
        {
            await net.Nodes[i].Kad.ProvideAsync(i < 3 ? full : lower, CancellationToken.None).WaitAsync(CrawlTestnet.Limit);
        }
        await NodeNetwork.UntilAsync(() => net.Nodes[0].Kad.Providers.Get(lower, DateTimeOffset.UtcNow, 100).Count == 4
            && net.Nodes[0].Kad.Providers.Get(full, DateTimeOffset.UtcNow, 100).Count == 3,
            "the first node holds every (1, 0) and (0, 0) record", CrawlTestnet.Limit);

        NetworkMap map = await NetworkCrawler.CrawlAsync(CrawlTestnet.CrawlOptions([net.FirstAddress])).WaitAsync(CrawlTestnet.Limit);

        // (0, 0) is no shard of this network: no status names it, whatever records remain.
        Assert.Equal([(1, 0u), (1, 1u)], map.Shards.Select(static s => (s.Bits, s.Index)));
        ShardReport lowerHalf = map.Shards[0];
        Assert.Equal(4, lowerHalf.Providers.Count);
        Assert.Equal(3, lowerHalf.ReachableVerified);
        Assert.False(lowerHalf.UnderReplicated);
        ShardReport upperHalf = map.Shards[1];
        Assert.Equal(1, upperHalf.ReachableVerified);
        Assert.True(upperHalf.UnderReplicated);
    }

    private static ShardSet Fixed(int bits, uint index) => new([new ShardId(bits, index)]);

    [Fact]
    public async Task A_dead_node_in_routing_tables_and_a_silent_bootstrap_peer_are_reported_unreachable_within_their_timeout()
    {
        await using CrawlTestnet net = await CrawlTestnet.StartAsync(4);
        PeerId dead = net.Nodes[3].PeerId;
        await net.StopAsync(3);
        Assert.All(net.Nodes, n => Assert.True(n.Kad.RoutingTable.Contains(KadKey.Hash(dead.Bytes.Span)), "the stopped node is still in the tables"));
        // A listener that accepts and never speaks: the handshake would wait forever.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        PeerId silentId = KeyPair.Generate().PeerId;
        var silentAddress = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{((IPEndPoint)silent.LocalEndpoint).Port}/p2p/{silentId}");
        TimeSpan peerTimeout = TimeSpan.FromSeconds(2);

        NetworkMap map = await NetworkCrawler.CrawlAsync(CrawlTestnet.CrawlOptions([net.FirstAddress, silentAddress], peerTimeout)).WaitAsync(CrawlTestnet.Limit);

        Assert.False(map.Crawl.DeadlineReached);
        Assert.Equal(1, map.Crawl.BootstrapReached);
        NodeReport deadReport = map.Nodes.Single(r => r.Peer.Peer.Equals(dead));
        Assert.False(deadReport.Peer.Reachable);
        Assert.NotNull(deadReport.Peer.Error);
        Assert.Null(deadReport.Status);
        NodeReport silentReport = map.Nodes.Single(r => r.Peer.Peer.Equals(silentId));
        Assert.False(silentReport.Peer.Reachable);
        Assert.Equal("no answer within 2 s", silentReport.Peer.Error);
        Assert.Equal(3, map.Nodes.Count(r => r.Peer.Reachable && r.Status is not null));
        ShardReport full = Assert.Single(map.Shards);
        Assert.Equal(3, full.ReachableVerified);
        // Its provider record outlives it (48 h) and is listed, but only answering providers count.
        Assert.Contains(dead, full.Providers);
    }
}
