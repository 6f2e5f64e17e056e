using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>
/// Issue 4 "How it is proven": 20 real hosts (TCP + Noise + Yamux on loopback) in a sparse
/// random topology, NNRP's settings (StrictNoSign, content id, a validator that rejects
/// messages starting with 0x00).
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private const string Topic = RouterHarness.Topic;
    private const int NodeCount = 20;
    private const int LinksPerNode = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<Libp2pHost> _hosts = [];
    private readonly List<GossipSubService> _services = [];
    private readonly List<GossipSubscription> _subscriptions = [];

    private static GossipSubOptions Options() => new()
    {
        SignaturePolicy = SignaturePolicy.StrictNoSign,
        MessageIdFunction = MessageIdFunctions.Sha256OfData,
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        Scoring = new PeerScoreParams
        {
            Topics = new Dictionary<string, TopicScoreParams> { [Topic] = new() },
            IPColocationFactorWhitelist = [IPNetwork.Parse("127.0.0.0/8")],
        },
    };

    private static ValueTask<ValidationResult> Validate(GossipMessage message, PeerId _, CancellationToken __) =>
        ValueTask.FromResult(message.Data.Length > 0 && message.Data.Span[0] == 0 ? ValidationResult.Reject : ValidationResult.Accept);

    public async Task InitializeAsync()
    {
        var random = new Random(42);
        for (int i = 0; i < NodeCount; i++)
        {
            var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")], Limits = new ConnectionLimits { ExemptNetworks = ConnectionLimits.LoopbackNetworks } }, NullLoggerFactory.Instance);
            await host.StartAsync(CancellationToken.None);
            GossipSubService service = GossipSubService.Attach(host, Options());
            service.SetValidator(Topic, Validate);
            _hosts.Add(host);
            _services.Add(service);
            _subscriptions.Add(service.Subscribe(Topic));
        }
        // Sparse: every node dials up to three random earlier nodes (a connected graph, ~3 links each way).
        for (int i = 1; i < NodeCount; i++)
        {
            foreach (int j in Enumerable.Range(0, i).OrderBy(_ => random.Next()).Take(LinksPerNode))
            {
                Multiaddr target = _hosts[j].ListenAddresses[0].WithPeerIdMultihash(_hosts[j].PeerId.Bytes.Span);
                await _hosts[i].DialAsync(target, CancellationToken.None).WaitAsync(Timeout);
            }
        }
        await Eventually(() => _services.All(s => s.GetMeshPeers(Topic).Count > 0 && s.GetTopicPeers(Topic).Count >= 1), "every node has a mesh");
    }

    public async Task DisposeAsync()
    {
        foreach (GossipSubService service in _services)
        {
            await service.DisposeAsync();
        }
        foreach (Libp2pHost host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Messages_from_random_nodes_reach_every_node_once_and_a_spammer_is_graylisted_and_pruned()
    {
        var received = Enumerable.Range(0, NodeCount).Select(_ => new ConcurrentDictionary<int, int>()).ToArray();
        int duplicates = 0;
        var readers = _subscriptions.Select((s, i) => Task.Run(async () =>
        {
            await foreach (GossipMessage m in s.ReadAllAsync())
            {
                if (!received[i].TryAdd(BitConverter.ToInt32(m.Data.Span[1..]), 0))
                {
                    Interlocked.Increment(ref duplicates);
                }
            }
        })).ToList();

        // 200 valid messages from random honest nodes (the last node is kept as the spammer).
        var random = new Random(7);
        int[] author = new int[200];
        for (int m = 0; m < 200; m++)
        {
            author[m] = random.Next(NodeCount - 1);
            _services[author[m]].Publish(Topic, (byte[])[1, .. BitConverter.GetBytes(m)]);
        }
        await Eventually(
            () => Enumerable.Range(0, NodeCount).All(i => received[i].Count == author.Count(a => a != i)),
            "every message at every node");
        Assert.Equal(0, duplicates);

        // The spammer sends only invalid messages; every neighbour graylists and prunes it.
        int spammer = NodeCount - 1;
        PeerId spammerId = _hosts[spammer].PeerId;
        for (int m = 0; m < 10; m++)
        {
            _services[spammer].Publish(Topic, (byte[])[0, .. BitConverter.GetBytes(200 + m)]);
        }
        var neighbours = Enumerable.Range(0, NodeCount - 1).Where(i => _services[i].Peers.Contains(spammerId)).ToList();
        Assert.NotEmpty(neighbours);
        await Eventually(
            () => neighbours.All(i => _services[i].GetScore(spammerId) < new PeerScoreThresholds().GraylistThreshold)
                && Enumerable.Range(0, NodeCount - 1).All(i => !_services[i].GetMeshPeers(Topic).Contains(spammerId)),
            "spammer graylisted and out of every mesh");
        Assert.All(received.Take(NodeCount - 1), r => Assert.DoesNotContain(r.Keys, k => k >= 200));
        Assert.True(_services.Take(NodeCount - 1).Sum(s => s.Metrics.Rejected) >= neighbours.Count);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(50);
        }
    }
}
