using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Tests.Relay;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Dcutr;

/// <summary>
/// DCUtR.md "The Protocol" over real hosts: two peers joined only through a relay end up with a
/// direct connection that new streams take, and a punch that cannot succeed leaves the relayed
/// connection as it was.
/// </summary>
public sealed class HolePunchTests : IAsyncLifetime
{
    private readonly PunchNet _net = new();

    public async Task InitializeAsync() => await _net.StartAsync();

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task Peers_joined_through_a_relay_get_a_direct_connection_that_new_streams_use()
    {
        (Libp2pHost natted, DcutrService? nattedDcutr) = await _net.StartPeerAsync();
        Multiaddr circuit = await _net.ReserveAsync(natted);
        (Libp2pHost dialer, DcutrService? dialerDcutr) = await _net.StartPeerAsync();
        Task<HolePunchOutcome> initiated = PunchNet.NextOutcome(nattedDcutr!);
        Task<HolePunchOutcome> answered = PunchNet.NextOutcome(dialerDcutr!);

        Connection relayed = await Within(dialer.DialAsync(circuit, CancellationToken.None));
        HolePunchOutcome outcome = await initiated;

        Assert.True(relayed.IsLimited);
        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.True(outcome.Initiator);
        Assert.Equal(1, outcome.Attempts);
        Assert.True((await answered).Succeeded);
        Connection preferred = dialer.FindConnection(natted.PeerId)!;
        Assert.False(preferred.IsLimited);
        await using Libp2pStream stream = await Within(dialer.NewStreamAsync(natted.PeerId, [RelayNet.EchoProtocol], CancellationToken.None));
        Assert.False(stream.Connection.IsLimited);
        Assert.Equal([7, 8, 9], await RelayNet.RoundTripAsync(stream, [7, 8, 9]));
        // After the grace period the relayed connection is closed on both sides.
        await Within(relayed.Closed);
        await Eventually(() => !natted.GetConnections(dialer.PeerId).Any(static c => c.IsLimited), "the natted side closed the relayed connection");
    }

    [Fact]
    public async Task A_punch_whose_dials_all_fail_leaves_the_relayed_connection_working()
    {
        // The natted peer offers an address nothing listens on; the dialer offers none.
        (Libp2pHost natted, DcutrService? nattedDcutr) = await _net.StartPeerAsync(announce: [PunchNet.DeadAddress()]);
        Multiaddr circuit = await _net.ReserveAsync(natted);
        (Libp2pHost dialer, DcutrService? dialerDcutr) = await _net.StartPeerAsync(listen: false);
        Task<HolePunchOutcome> initiated = PunchNet.NextOutcome(nattedDcutr!);
        Task<HolePunchOutcome> answered = PunchNet.NextOutcome(dialerDcutr!);

        await using Libp2pStream stream = await Within(dialer.NewStreamAsync(circuit, [RelayNet.EchoProtocol], CancellationToken.None));
        HolePunchOutcome outcome = await initiated;

        Assert.False(outcome.Succeeded);
        Assert.Equal(PunchNet.TestOptions.MaxAttempts, outcome.Attempts);
        Assert.False((await answered).Succeeded);
        Assert.True(stream.Connection.IsLimited);
        Assert.False(stream.Connection.IsClosed);
        Assert.Equal([1, 2, 3], await RelayNet.RoundTripAsync(stream, [1, 2, 3]));
        Assert.All(dialer.GetConnections(natted.PeerId), static c => Assert.True(c.IsLimited));
    }

    [Fact]
    public async Task A_peer_without_dcutr_keeps_the_relayed_connection()
    {
        (Libp2pHost natted, DcutrService? nattedDcutr) = await _net.StartPeerAsync();
        Multiaddr circuit = await _net.ReserveAsync(natted);
        (Libp2pHost dialer, _) = await _net.StartPeerAsync(withDcutr: false);
        Task<HolePunchOutcome> initiated = PunchNet.NextOutcome(nattedDcutr!);

        await using Libp2pStream stream = await Within(dialer.NewStreamAsync(circuit, [RelayNet.EchoProtocol], CancellationToken.None));
        HolePunchOutcome outcome = await initiated;

        Assert.False(outcome.Succeeded);
        Assert.Equal(0, outcome.Attempts);
        Assert.Equal([4, 5], await RelayNet.RoundTripAsync(stream, [4, 5]));
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!condition())
        {
            Assert.False(limit.IsCancellationRequested, "timed out waiting until " + what);
            await Task.Delay(20);
        }
    }
}
