using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Tests.Testing;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>GossipSub services joined by in-memory duplex pipes (one stream each way per link).</summary>
internal sealed class InMemoryNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];

    public InMemoryNetwork(int nodes, Func<GossipSubOptions>? options = null)
    {
        for (int i = 0; i < nodes; i++)
        {
            using var key = KeyPair.Generate();
            Ids.Add(key.PeerId);
            var service = new GossipSubService(options?.Invoke() ?? Options(), random: new Random(i));
            service.Start();
            Nodes.Add(service);
        }
    }

    public static GossipSubOptions Options(int maxPendingValidations = 4096) => new()
    {
        MaxPendingValidations = maxPendingValidations,
        SignaturePolicy = SignaturePolicy.StrictNoSign,
        MessageIdFunction = MessageIdFunctions.Sha256OfData,
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        Scoring = Nnrp.Libp2p.GossipSub.Scoring.PeerScoreParams.ForTopics(RouterHarness.Topic),
    };

    public List<GossipSubService> Nodes { get; } = [];

    public List<PeerId> Ids { get; } = [];

    /// <summary>Connects node <paramref name="a"/> (dialer) and <paramref name="b"/>.</summary>
    public void Connect(int a, int b, GossipProtocol protocol = GossipProtocol.Meshsub12)
    {
        var aToB = new DuplexPipePair(1 << 20);
        var bToA = new DuplexPipePair(1 << 20);
        Nodes[a].AddPeer(Ids[b], outbound: true, null, _ => Task.FromResult((aToB.A, protocol)));
        Nodes[b].AddPeer(Ids[a], outbound: false, null, _ => Task.FromResult((bToA.A, protocol)));
        _readers.Add(Task.Run(() => Nodes[b].HandleInboundStreamAsync(Ids[a], protocol, aToB.B, false, null, _stop.Token)));
        _readers.Add(Task.Run(() => Nodes[a].HandleInboundStreamAsync(Ids[b], protocol, bToA.B, true, null, _stop.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (GossipSubService node in Nodes)
        {
            await node.DisposeAsync();
        }
        await Task.WhenAll(_readers).WaitAsync(Timeout);
        _stop.Dispose();
    }

    public static async Task Eventually(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(20);
        }
    }
}
