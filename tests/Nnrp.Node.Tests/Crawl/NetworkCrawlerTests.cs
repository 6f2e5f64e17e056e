using System.Net;
using System.Net.Sockets;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Crawl;
using Nnrp.Node.Gossip;
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
