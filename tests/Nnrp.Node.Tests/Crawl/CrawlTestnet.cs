using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad.Crawl;
using Nnrp.Node.Crawl;
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Shards;

namespace Nnrp.Node.Tests.Crawl;

/// <summary>
/// Real nodes on loopback built by <see cref="NnrpNode.StartAsync"/>, the first alone and each
/// later one bootstrapping from the first, so only the DHT tells a crawler about nodes 2..n.
/// </summary>
internal sealed class CrawlTestnet : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly List<TempDirectory> _dirs = [];
    private readonly List<NnrpNode> _stopped = [];

    public List<NnrpNode> Nodes { get; } = [];

    /// <summary>
    /// <paramref name="count"/> nodes bootstrapped from the first. With <paramref name="configure"/>
    /// (node index, options) the nodes are the caller's to shape, and so is waiting for their
    /// provider records; without it every node is full and the (0, 0) records are awaited.
    /// </summary>
    public static async Task<CrawlTestnet> StartAsync(int count, Func<int, NnrpNodeOptions, NnrpNodeOptions>? configure = null)
    {
        var net = new CrawlTestnet();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var dir = new TempDirectory();
                net._dirs.Add(dir);
                var options = new NnrpNodeOptions
                {
                    DataDirectory = dir.Path,
                    Ingress = new IngressOptions { Policy = Notifications.CheapPolicy },
                    PrivateNetwork = true,
                    SyncOnSchedule = false,
                    Dht = new NodeDhtOptions { BootstrapPeers = i == 0 ? [] : [net.Nodes[0].Addresses[0]] },
                };
                NnrpNode node = await NnrpNode.StartAsync(configure is null ? options : configure(i, options)).WaitAsync(Limit);
                net.Nodes.Add(node);
                await node.DhtReady.WaitAsync(Limit);
            }
            if (configure is not null)
            {
                return net;
            }
            // Each node announced (0, 0) to the DHT (NNRP.md §8): every later one reached the first.
            byte[] key = ShardKeys.WireKey(0, 0);
            await NodeNetwork.UntilAsync(() => net.Nodes[0].Kad.Providers.Get(key, DateTimeOffset.UtcNow, 100).Count == count,
                $"the first node holds the (0, 0) records of all {count} nodes", Limit);
            return net;
        }
        catch
        {
            await net.DisposeAsync();
            throw;
        }
    }

    public Multiaddr FirstAddress => Nodes[0].Addresses[0];

    /// <summary>Crawl options for loopback: private addresses kept, short timeouts.</summary>
    public static NetworkCrawlOptions CrawlOptions(IReadOnlyList<Multiaddr> bootstrap, TimeSpan? peerTimeout = null) => new()
    {
        BootstrapPeers = bootstrap,
        Kad = new KadCrawlOptions
        {
            AllowPrivateAddresses = true,
            PeerTimeout = peerTimeout ?? TimeSpan.FromSeconds(20),
            DialTimeout = TimeSpan.FromSeconds(5),
            Deadline = Limit,
        },
    };

    /// <summary>Stops node <paramref name="index"/> (its data directory stays until dispose).</summary>
    public async Task StopAsync(int index)
    {
        NnrpNode node = Nodes[index];
        Nodes.RemoveAt(index);
        _stopped.Add(node);
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (NnrpNode node in Nodes)
        {
            await node.DisposeAsync();
        }
        foreach (TempDirectory dir in _dirs)
        {
            dir.Dispose();
        }
    }
}
