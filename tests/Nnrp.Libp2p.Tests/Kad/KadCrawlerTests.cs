using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Crawl;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Tests.Host;
using System.Net;
using System.Net.Sockets;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>
/// The crawler's bounds: its frontier records each peer once and no more than its cap, and a
/// DHT peer that invents a fresh list of peers for every question cannot make the crawl grow
/// past <see cref="KadCrawlOptions.MaxPeers"/> or run on.
/// </summary>
public sealed class KadCrawlerTests
{
    private static readonly Multiaddr DeadAddress = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1");

    private static KadPeer RandomPeer() => new(KeyPair.Generate().PeerId.Bytes.Span, [DeadAddress]);

    [Fact]
    public void The_frontier_records_a_peer_once_merges_its_addresses_and_drops_peers_beyond_its_cap()
    {
        var frontier = new CrawlFrontier(maxPeers: 2);
        KadPeer a = RandomPeer();
        KadPeer b = RandomPeer();
        Assert.True(frontier.Offer(a));
        Assert.False(frontier.Offer(a.WithAddresses([Multiaddr.Parse("/ip4/127.0.0.2/tcp/2")])));
        Assert.True(frontier.Offer(b));
        Assert.False(frontier.CapReached);
        Assert.False(frontier.Offer(RandomPeer()));
        Assert.True(frontier.CapReached);
        Assert.Equal(2, frontier.Known);

        Assert.True(frontier.TryTake(out KadPeer first));
        Assert.Equal(a, first);
        Assert.Equal(2, first.Addresses.Count);
        Assert.False(frontier.Offer(a), "a peer taken is not recorded again");
        Assert.True(frontier.TryTake(out KadPeer second));
        Assert.Equal(b, second);
        Assert.False(frontier.TryTake(out _));
        Assert.Equal(0, frontier.Waiting);
    }

    [Fact]
    public async Task A_peer_that_invents_peers_for_every_question_fills_the_cap_and_the_crawl_ends()
    {
        await using var hosts = new Hosts();
        int questions = 0;
        Libp2pHost inventor = await hosts.StartAsync(configure: host =>
        {
            new IdentifyService(host, NullLoggerFactory.Instance).Start();
            host.SetStreamHandler(KadOptions.DefaultProtocolId, async (stream, ct) =>
            {
                while (await KadCodec.ReadAsync(stream.Input, KadCodec.MaxMessageSize, ct) is { } request)
                {
                    Interlocked.Increment(ref questions);
                    var answer = new Message { Type = request.Type };
                    for (int i = 0; i < 20; i++)
                    {
                        answer.CloserPeers.Add(KadCodec.ToWire(RandomPeer()));
                    }
                    await KadCodec.WriteAsync(stream.Output, answer, ct);
                }
            });
        });
        Libp2pHost client = await hosts.StartAsync();
        var identify = new IdentifyService(client, NullLoggerFactory.Instance);
        identify.Start();
        var crawler = new KadCrawler(client, identify, new KadCrawlOptions
        {
            MaxPeers = 30,
            AllowPrivateAddresses = true,
            PeerTimeout = TimeSpan.FromSeconds(10),
            Deadline = TimeSpan.FromMinutes(1),
        }, NullLoggerFactory.Instance);

        KadCrawlResult result = await Hosts.Within(crawler.CrawlAsync([Hosts.AddressOf(inventor)], null, CancellationToken.None));

        Assert.True(result.CapReached);
        Assert.False(result.DeadlineReached);
        Assert.False(result.Complete);
        Assert.Equal(30, result.Peers.Count);
        CrawledPeer reached = Assert.Single(result.Peers, p => p.Reachable);
        Assert.Equal(inventor.PeerId, reached.Peer);
        Assert.True(reached.ServesKad);
        Assert.Equal(questions, reached.KadRequests);
        // Own id, bucket 0 (every peer is at depth >= 0), bucket 1 (20 random peers all at depth 0: p = 2^-20), …;
        // never more than the own id and one key per bucket up to MaxBucketDepth.
        Assert.InRange(reached.KadRequests, 3, new KadCrawlOptions().MaxBucketDepth + 1);
        Assert.All(result.Peers.Where(p => !p.Reachable), p => Assert.NotNull(p.Error));
    }

    [Fact]
    public async Task At_the_deadline_the_crawl_returns_and_a_visit_it_cut_off_counts_as_not_visited_not_as_unreachable()
    {
        await using var hosts = new Hosts();
        Libp2pHost client = await hosts.StartAsync();
        var identify = new IdentifyService(client, NullLoggerFactory.Instance);
        identify.Start();
        // Accepts and never speaks: the visit would wait out its 60 s peer timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var address = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{((IPEndPoint)silent.LocalEndpoint).Port}/p2p/{KeyPair.Generate().PeerId}");
        var crawler = new KadCrawler(client, identify, new KadCrawlOptions
        {
            AllowPrivateAddresses = true,
            PeerTimeout = TimeSpan.FromSeconds(60),
            DialTimeout = TimeSpan.FromSeconds(60),
            Deadline = TimeSpan.FromMilliseconds(500),
        }, NullLoggerFactory.Instance);

        KadCrawlResult result = await Hosts.Within(crawler.CrawlAsync([address], null, CancellationToken.None));

        Assert.True(result.DeadlineReached);
        Assert.False(result.Complete);
        Assert.Empty(result.Peers);
        Assert.Equal(1, result.NotVisited);
        Assert.Equal(0, result.BootstrapReached);
    }
}
