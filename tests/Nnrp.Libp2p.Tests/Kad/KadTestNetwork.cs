using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>A wall clock tests move by hand; timers stay real.</summary>
internal sealed class AdjustableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>One real node: host on loopback TCP, identify, Kad in server mode, in-memory providers.</summary>
internal sealed class KadNode : IAsyncDisposable
{
    public required Libp2pHost Host { get; init; }

    public required KadService Kad { get; init; }

    public Multiaddr Address => Host.ListenAddresses[0].WithPeerIdMultihash(Host.PeerId.Bytes.Span);

    public static async Task<KadNode> StartAsync(
        IReadOnlyList<Multiaddr> bootstrap, TimeProvider clock, KadMode mode = KadMode.Server, string? tablePath = null, KeyPair? key = null)
    {
        var host = new Libp2pHost(key ?? KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")], Limits = new ConnectionLimits { ExemptNetworks = ConnectionLimits.LoopbackNetworks } }, NullLoggerFactory.Instance);
        var identify = new IdentifyService(host);
        identify.Start();
        var options = new KadOptions
        {
            Mode = mode,
            AllowPrivateAddresses = true,
            BootstrapPeers = bootstrap,
            RoutingTablePath = tablePath,
            MaintenanceInterval = TimeSpan.FromSeconds(1),
            ExpirySweepInterval = TimeSpan.FromHours(1),
        };
        var kad = new KadService(host, new MemoryProviderStore(), options, identify, time: clock);
        await host.StartAsync(CancellationToken.None);
        await kad.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        return new KadNode { Host = host, Kad = kad };
    }

    public async ValueTask DisposeAsync()
    {
        await Kad.DisposeAsync();
        await Host.DisposeAsync();
        Kad.Providers.Dispose();
    }
}

/// <summary>
/// Sixteen real hosts on loopback, each started knowing only the first one (issue 3 "How it
/// is proven"). Started once per test class; tests that stop nodes start their own.
/// </summary>
public sealed class KadTestNetwork : IAsyncLifetime
{
    public const int Size = 16;

    internal AdjustableClock Clock { get; } = new();

    internal List<KadNode> Nodes { get; } = [];

    public async Task InitializeAsync()
    {
        KadNode first = await KadNode.StartAsync([], Clock);
        Nodes.Add(first);
        for (int i = 1; i < Size; i++)
        {
            Nodes.Add(await KadNode.StartAsync([first.Address], Clock));
        }
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(static n => n.DisposeAsync().AsTask()));
    }
}
