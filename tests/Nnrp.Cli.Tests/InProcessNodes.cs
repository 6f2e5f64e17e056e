using Nnrp.Libp2p.Addressing;
using Nnrp.Core.Work;
using Nnrp.Node;
using Nnrp.Node.Ingress;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Real NNRP nodes built by the composition root (libp2p host on loopback, RocksDB store, /nnrp/1.0, gossip, DHT) inside the test
/// process, for the `nnrp send` / `fetch` / `status` processes to talk to. Their base
/// threshold is <see cref="CheapThreshold"/> unless told otherwise, as a private testnet's
/// (`nnrp node --base-threshold`), so the tests do not wait on a lottery of 2^23 hashes.
/// </summary>
internal sealed class InProcessNodes : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-cli-nodes-").FullName;
    private readonly List<NnrpNode> _nodes = [];

    /// <summary>About 256 hashes: `--threshold` / `--base-threshold ff00000000000000`.</summary>
    public const string CheapThreshold = "ff00000000000000";

    public static async Task<InProcessNodes> StartAsync(int count, ulong baseThreshold = 0xff00000000000000UL)
    {
        var nodes = new InProcessNodes();
        for (int i = 0; i < count; i++)
        {
            nodes._nodes.Add(await NnrpNode.StartAsync(new NnrpNodeOptions
            {
                DataDirectory = Path.Combine(nodes._root, $"n{i}"),
                Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = baseThreshold } },
            }));
        }
        return nodes;
    }

    public IReadOnlyList<string> Addresses =>
        _nodes.Select(n => n.Host.ListenAddresses[0].WithPeerIdMultihash(n.PeerId.Bytes.Span).ToString()).ToArray();

    /// <summary>`--node a --node b …` for every node.</summary>
    public IEnumerable<string> NodeArgs => Addresses.SelectMany(a => new[] { "--node", a });

    public async ValueTask DisposeAsync()
    {
        foreach (NnrpNode node in _nodes)
        {
            await node.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }
}
