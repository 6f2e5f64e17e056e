using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Ping;
using Nnrp.Libp2p.Tests.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Ping;

/// <summary>/ipfs/ping/1.0.0: 32 bytes out, the same 32 bytes back, repeatedly on one stream.</summary>
public sealed class PingTests : IAsyncLifetime
{
    private readonly Hosts _hosts = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task Many_pings_on_one_stream_each_return_a_round_trip_time()
    {
        PingService? ping = null;
        Libp2pHost a = await _hosts.StartAsync(configure: h => (ping = new PingService(h)).Start());
        Libp2pHost b = await _hosts.StartAsync(configure: h => new PingService(h).Start());
        await Within(a.DialAsync(AddressOf(b), CancellationToken.None));

        IReadOnlyList<TimeSpan> rtts = await Within(ping!.PingAsync(b.PeerId, 20, CancellationToken.None));

        Assert.Equal(20, rtts.Count);
        Assert.All(rtts, r => Assert.True(r > TimeSpan.Zero));
    }

    [Fact]
    public async Task A_peer_without_ping_refuses_the_stream()
    {
        PingService? ping = null;
        Libp2pHost a = await _hosts.StartAsync(configure: h => (ping = new PingService(h)).Start());
        Libp2pHost b = await _hosts.StartAsync();
        await Within(a.DialAsync(AddressOf(b), CancellationToken.None));

        await Assert.ThrowsAsync<global::Nnrp.Libp2p.MultistreamSelect.NoProtocolAgreedException>(() => Within(ping!.PingAsync(b.PeerId, CancellationToken.None)));
    }
}
