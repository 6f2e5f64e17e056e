using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Real NNRP nodes (libp2p host on loopback + RocksDB store + /nnrp/1.0) inside the test
/// process, at the network's real base threshold, for the `nnrp send` / `fetch` / `status`
/// processes to talk to.
/// </summary>
internal sealed class InProcessNodes : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-cli-nodes-").FullName;
    private readonly List<(Libp2pHost Host, NnrpNode Node)> _nodes = [];

    public static async Task<InProcessNodes> StartAsync(int count)
    {
        var nodes = new InProcessNodes();
        for (int i = 0; i < count; i++)
        {
            var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
            await host.StartAsync(CancellationToken.None);
            nodes._nodes.Add((host, NnrpNode.Start(host, new NnrpNodeOptions { DataDirectory = Path.Combine(nodes._root, $"n{i}") })));
        }
        return nodes;
    }

    public IReadOnlyList<string> Addresses =>
        _nodes.Select(n => n.Host.ListenAddresses[0].WithPeerIdMultihash(n.Host.PeerId.Bytes.Span).ToString()).ToArray();

    /// <summary>`--node a --node b …` for every node.</summary>
    public IEnumerable<string> NodeArgs => Addresses.SelectMany(a => new[] { "--node", a });

    public async ValueTask DisposeAsync()
    {
        foreach ((Libp2pHost host, NnrpNode node) in _nodes)
        {
            await host.DisposeAsync();
            await node.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }
}
