using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Tests.Testing;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>
/// pubsub/README.md "Stream management": each side writes on the one stream it opened, and the
/// first thing it writes there is its subscriptions. A connected peer must never be left knowing
/// none of our topics: not when its stream beats ours, not when ours fails while the connection
/// lives, not when a duplicate connection carrying ours closes.
/// </summary>
public class StreamLifecycleTests
{
    private static GossipSubOptions FastReopen(int maxReopens = 6) => InMemoryNetwork.Options() with
    {
        StreamReopenDelay = TimeSpan.FromMilliseconds(10),
        MaxStreamReopenDelay = TimeSpan.FromMilliseconds(50),
        MaxStreamReopens = maxReopens,
    };

    [Fact]
    public async Task A_peer_whose_stream_arrives_before_ours_opens_still_learns_our_subscriptions()
    {
        await using var net = new InMemoryNetwork(2);
        GossipSubService a = net.Nodes[0], b = net.Nodes[1];
        a.Subscribe(Topic);
        b.Subscribe(Topic);
        using var stop = new CancellationTokenSource();
        var aToB = new DuplexPipePair(1 << 20);
        var bToA = new DuplexPipePair(1 << 20);

        // A's stream reaches B, and B's router knows A, before B's writer exists.
        a.AddPeer(net.Ids[1], outbound: true, null, _ => Task.FromResult((aToB.A, GossipProtocol.Meshsub12)));
        Task bReads = Task.Run(() => b.HandleInboundStreamAsync(net.Ids[0], GossipProtocol.Meshsub12, aToB.B, false, null, stop.Token));
        await InMemoryNetwork.Eventually(() => b.GetTopicPeers(Topic).Contains(net.Ids[0]), "B learns A's subscription");
        b.AddPeer(net.Ids[0], outbound: false, null, _ => Task.FromResult((bToA.A, GossipProtocol.Meshsub12)));
        Task aReads = Task.Run(() => a.HandleInboundStreamAsync(net.Ids[1], GossipProtocol.Meshsub12, bToA.B, true, null, stop.Token));

        await InMemoryNetwork.Eventually(() => a.GetTopicPeers(Topic).Contains(net.Ids[1]), "A learns B's subscription");
        await stop.CancelAsync();
        await Task.WhenAll(aReads, bReads).WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task Our_stream_that_fails_while_the_peer_is_still_connected_is_opened_again()
    {
        await using var net = new InMemoryNetwork(2, () => FastReopen());
        GossipSubService a = net.Nodes[0], b = net.Nodes[1];
        GossipSubscription received = a.Subscribe(Topic);
        b.Subscribe(Topic);
        using var stop = new CancellationTokenSource();
        var readers = new List<Task>();
        var aToB = new DuplexPipePair(1 << 20);
        a.AddPeer(net.Ids[1], outbound: true, null, _ => Task.FromResult((aToB.A, GossipProtocol.Meshsub12)));
        readers.Add(Task.Run(() => b.HandleInboundStreamAsync(net.Ids[0], GossipProtocol.Meshsub12, aToB.B, false, null, stop.Token)));

        // B's first attempt to open its stream fails; the connection (as B sees it) is still up.
        int opens = 0;
        b.AddPeer(net.Ids[0], outbound: false, null, _ =>
        {
            if (Interlocked.Increment(ref opens) == 1)
            {
                throw new IOException("stream reset by the muxer");
            }
            var bToA = new DuplexPipePair(1 << 20);
            lock (readers)
            {
                readers.Add(Task.Run(() => a.HandleInboundStreamAsync(net.Ids[1], GossipProtocol.Meshsub12, bToA.B, true, null, stop.Token), CancellationToken.None));
            }
            return Task.FromResult((bToA.A, GossipProtocol.Meshsub12));
        }, stillConnected: () => true);

        await InMemoryNetwork.Eventually(() => a.GetTopicPeers(Topic).Contains(net.Ids[1]), "A learns B's subscription on B's second stream");
        Assert.Contains(net.Ids[0], b.Peers);
        await InMemoryNetwork.Eventually(() => b.GetMeshPeers(Topic).Count == 1, "B meshes with A");
        b.Publish(Topic, new byte[] { 7 });
        GossipMessage message = await received.Messages.ReadAsync().AsTask().WaitAsync(InMemoryNetwork.Timeout);
        Assert.Equal(7, message.Data.Span[0]);
        Assert.Equal(2, Volatile.Read(ref opens));
        await stop.CancelAsync();
        Task[] all;
        lock (readers)
        {
            all = [.. readers];
        }
        await Task.WhenAll(all).WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task A_peer_that_fails_every_stream_we_open_costs_a_bounded_number_of_opens_and_leaves_gossip()
    {
        const int MaxReopens = 3;
        await using var net = new InMemoryNetwork(2, () => FastReopen(MaxReopens));
        GossipSubService b = net.Nodes[1];
        b.Subscribe(Topic);
        using var stop = new CancellationTokenSource();
        var aToB = new DuplexPipePair(1 << 20);
        Task bReads = Task.Run(() => b.HandleInboundStreamAsync(net.Ids[0], GossipProtocol.Meshsub12, aToB.B, false, null, stop.Token));
        int opens = 0;
        b.AddPeer(net.Ids[0], outbound: false, null, _ =>
        {
            Interlocked.Increment(ref opens);
            return Task.FromException<(IDuplexPipe, GossipProtocol)>(new IOException("stream reset by the peer"));
        }, stillConnected: () => true);

        await InMemoryNetwork.Eventually(() => Volatile.Read(ref opens) == 1 + MaxReopens && !b.Peers.Contains(net.Ids[0]), "B gives up on A");
        Assert.Equal(1 + MaxReopens, Volatile.Read(ref opens));
        await stop.CancelAsync();
        await bReads.WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task A_peer_that_is_gone_is_removed_at_once_without_a_reopen()
    {
        await using var net = new InMemoryNetwork(2, () => FastReopen());
        GossipSubService b = net.Nodes[1];
        using var stop = new CancellationTokenSource();
        var aToB = new DuplexPipePair(1 << 20);
        Task bReads = Task.Run(() => b.HandleInboundStreamAsync(net.Ids[0], GossipProtocol.Meshsub12, aToB.B, false, null, stop.Token));
        await InMemoryNetwork.Eventually(() => b.Peers.Contains(net.Ids[0]), "B knows A from A's stream");
        int opens = 0;
        b.AddPeer(net.Ids[0], outbound: false, null, _ =>
        {
            Interlocked.Increment(ref opens);
            return Task.FromException<(IDuplexPipe, GossipProtocol)>(new IOException("connection closed"));
        }, stillConnected: () => false);

        await InMemoryNetwork.Eventually(() => !b.Peers.Contains(net.Ids[0]), "B drops A");
        Assert.Equal(1, Volatile.Read(ref opens));
        await stop.CancelAsync();
        await bReads.WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task Closing_the_duplicate_connection_our_streams_ran_on_moves_them_to_the_other()
    {
        var hosts = new List<Libp2pHost>();
        var services = new List<GossipSubService>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var host = new Libp2pHost(KeyPair.Generate(), new HostOptions
                {
                    ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")],
                    Limits = new ConnectionLimits { ExemptNetworks = ConnectionLimits.LoopbackNetworks },
                }, NullLoggerFactory.Instance);
                await host.StartAsync(CancellationToken.None);
                hosts.Add(host);
                services.Add(GossipSubService.Attach(host, InMemoryNetwork.Options() with { Scoring = null }));
            }
            GossipSubscription received = services[0].Subscribe(Topic);
            services[1].Subscribe(Topic);
            Libp2pHost a = hosts[0], b = hosts[1];

            // Two connections from A to B (a bare address names no peer, so none is reused).
            Connection first = await a.DialAsync(b.ListenAddresses[0], CancellationToken.None).WaitAsync(InMemoryNetwork.Timeout);
            await InMemoryNetwork.Eventually(() => services[0].GetTopicPeers(Topic).Count == 1 && services[1].GetTopicPeers(Topic).Count == 1, "both sides know each other's topic");
            Connection second = await a.DialAsync(b.ListenAddresses[0], CancellationToken.None).WaitAsync(InMemoryNetwork.Timeout);
            Assert.NotSame(first, second);
            await InMemoryNetwork.Eventually(() => b.Connections.Count(c => !c.IsClosed) == 2, "B registers the second connection");

            await first.CloseAsync();
            await InMemoryNetwork.Eventually(() => a.Connections.Count(c => !c.IsClosed) == 1 && b.Connections.Count(c => !c.IsClosed) == 1, "both sides see the first connection gone");

            // B's writer ran on the closed connection; B must still reach A on the other one.
            DateTime deadline = DateTime.UtcNow + InMemoryNetwork.Timeout;
            GossipMessage? message = null;
            for (byte n = 1; message is null; n++)
            {
                Assert.True(DateTime.UtcNow < deadline, "B's messages never reached A after the duplicate connection closed");
                services[1].Publish(Topic, new byte[] { n, (byte)DateTime.UtcNow.Ticks });
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
                try
                {
                    message = await received.Messages.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            Assert.Contains(a.PeerId, services[1].GetTopicPeers(Topic));
            Assert.Contains(b.PeerId, services[0].GetTopicPeers(Topic));
        }
        finally
        {
            foreach (GossipSubService service in services)
            {
                await service.DisposeAsync();
            }
            foreach (Libp2pHost host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
