using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Tests.Testing;

/// <summary>A real node (host on loopback TCP + store in a temp dir) and a client host, torn down together.</summary>
public sealed class NodeNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir;

    private NodeNetwork(TempDirectory dir, Libp2pHost nodeHost, NnrpNode node, Libp2pHost clientHost)
    {
        _dir = dir;
        NodeHost = nodeHost;
        Node = node;
        ClientHost = clientHost;
        Client = new NnrpClient(clientHost);
    }

    public Libp2pHost NodeHost { get; }

    public NnrpNode Node { get; }

    public Libp2pHost ClientHost { get; }

    public NnrpClient Client { get; }

    public Multiaddr NodeAddress => NodeHost.ListenAddresses[0].WithPeerIdMultihash(NodeHost.PeerId.Bytes.Span);

    public static async Task<NodeNetwork> StartAsync(NnrpServiceOptions? protocol = null, TimeProvider? time = null, FetchBudgetOptions? fetchBudget = null)
    {
        var dir = new TempDirectory();
        Libp2pHost nodeHost = await StartHostAsync();
        NnrpNode node = NnrpNode.Start(nodeHost, new NnrpNodeOptions
        {
            DataDirectory = dir.Path,
            Ingress = new IngressOptions { Policy = Notifications.CheapPolicy },
            Protocol = protocol ?? new NnrpServiceOptions(),
            FetchBudget = fetchBudget ?? new FetchBudgetOptions(),
        }, time);
        Libp2pHost clientHost = await StartHostAsync();
        return new NodeNetwork(dir, nodeHost, node, clientHost);
    }

    private static async Task<Libp2pHost> StartHostAsync()
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, NullLoggerFactory.Instance);
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    /// <summary>A raw /nnrp/1.0 stream from the client to the node.</summary>
    public Task<Libp2pStream> OpenStreamAsync() => ClientHost.NewStreamAsync(NodeAddress, [NnrpProtocol.Id], CancellationToken.None).WaitAsync(Limit);

    public async ValueTask DisposeAsync()
    {
        await ClientHost.DisposeAsync();
        await NodeHost.DisposeAsync();
        await Node.DisposeAsync();
        _dir.Dispose();
    }
}
