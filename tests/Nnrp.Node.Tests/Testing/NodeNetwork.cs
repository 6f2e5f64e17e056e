using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Tests.Testing;

/// <summary>
/// A real node built by the composition root (<see cref="NnrpNode.StartAsync"/>: host on
/// loopback TCP, RocksDB store in a temp dir, gossip, DHT, sync) and a client host, torn down
/// together. Scheduled sync is off, so a test syncs when it means to.
/// </summary>
public sealed class NodeNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir;

    private NodeNetwork(TempDirectory dir, NnrpNode node, Libp2pHost clientHost)
    {
        _dir = dir;
        Node = node;
        ClientHost = clientHost;
        Client = new NnrpClient(clientHost);
    }

    public Libp2pHost NodeHost => Node.Host;

    public NnrpNode Node { get; }

    public Libp2pHost ClientHost { get; }

    public NnrpClient Client { get; }

    public Multiaddr NodeAddress => NodeHost.ListenAddresses[0].WithPeerIdMultihash(NodeHost.PeerId.Bytes.Span);

    /// <param name="configure">changes to the node's options beyond the cheap work policy and the arguments.</param>
    public static async Task<NodeNetwork> StartAsync(NnrpServiceOptions? protocol = null, TimeProvider? time = null, FetchBudgetOptions? fetchBudget = null,
        Func<NnrpNodeOptions, NnrpNodeOptions>? configure = null)
    {
        var dir = new TempDirectory();
        var options = new NnrpNodeOptions
        {
            DataDirectory = dir.Path,
            Ingress = new IngressOptions { Policy = Notifications.CheapPolicy },
            Protocol = protocol ?? new NnrpServiceOptions(),
            FetchBudget = fetchBudget ?? new FetchBudgetOptions(),
            SyncOnSchedule = false,
        };
        NnrpNode node = await NnrpNode.StartAsync(configure?.Invoke(options) ?? options, time: time).WaitAsync(Limit);
        await node.DhtReady.WaitAsync(Limit);
        var clientHost = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, NullLoggerFactory.Instance);
        await clientHost.StartAsync(CancellationToken.None);
        return new NodeNetwork(dir, node, clientHost);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="limit"/> (default <see cref="Limit"/>) with what was awaited.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        using var deadline = new CancellationTokenSource(limit ?? Limit);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }
        }
    }

    /// <summary>A raw /nnrp/1.0 stream from the client to the node.</summary>
    public Task<Libp2pStream> OpenStreamAsync() => ClientHost.NewStreamAsync(NodeAddress, [NnrpProtocol.Id], CancellationToken.None).WaitAsync(Limit);

    public async ValueTask DisposeAsync()
    {
        await ClientHost.DisposeAsync();
        await Node.DisposeAsync();
        _dir.Dispose();
    }
}
