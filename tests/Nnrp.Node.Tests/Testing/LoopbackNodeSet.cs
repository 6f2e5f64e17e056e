using Nnrp.Node.Ingress;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Testing;

/// <summary>
/// Nodes started one by one on loopback (private network, cheap work, no scheduled sync), each
/// with its own data directory, and whatever else a test hands over: all torn down together,
/// in reverse order. The NAT tests (relay, hole punching) build their topologies from it.
/// </summary>
public sealed class LoopbackNodeSet : IAsyncDisposable
{
    private readonly List<TempDirectory> _dirs = [];
    private readonly List<IAsyncDisposable> _parts = [];

    /// <summary>Starts a node; <paramref name="configure"/> adjusts the loopback defaults.</summary>
    public async Task<NnrpNode> StartAsync(Func<NnrpNodeOptions, NnrpNodeOptions> configure)
    {
        var dir = new TempDirectory();
        _dirs.Add(dir);
        NnrpNode node = await NnrpNode.StartAsync(configure(new NnrpNodeOptions
        {
            DataDirectory = dir.Path,
            Ingress = new IngressOptions { Policy = CheapPolicy },
            SyncOnSchedule = false,
            PrivateNetwork = true,
        })).WaitAsync(NodeNetwork.Limit);
        _parts.Add(node);
        return node;
    }

    /// <summary>Disposes <paramref name="part"/> with the nodes (before the ones started earlier).</summary>
    public void Add(IAsyncDisposable part) => _parts.Add(part);

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync();
        }
        foreach (TempDirectory dir in _dirs)
        {
            dir.Dispose();
        }
    }
}
