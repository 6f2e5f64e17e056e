using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Relay;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>circuit-v2.md "Connection Initiation" and "Stop Protocol": bytes cross the relay both ways, within its limits.</summary>
public sealed class CircuitTests : IAsyncLifetime
{
    private readonly RelayNet _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task Bytes_flow_both_ways_over_a_limited_noise_yamux_connection_through_the_relay()
    {
        await _net.StartRelayAsync();
        (Libp2pHost destination, _, RelayReservation reservation) = await _net.StartDestinationAsync();
        Libp2pHost dialer = await _net.StartHostAsync();
        Multiaddr circuit = reservation.Addresses[0];
        Assert.Equal(CircuitAddress.For(_net.RelayAddress, destination.PeerId), circuit);

        Task<Connection> accepted = OpenedWith(destination, dialer.PeerId);
        await using Libp2pStream stream = await Within(dialer.NewStreamAsync(circuit, [RelayNet.EchoProtocol], CancellationToken.None));
        byte[] payload = new byte[50_000];
        Random.Shared.NextBytes(payload);
        byte[] echoed = await RelayNet.RoundTripAsync(stream, payload);

        Assert.Equal(payload, echoed);
        Assert.True(stream.Connection.IsLimited);
        Assert.Equal(destination.PeerId, stream.Connection.RemotePeer);
        Connection atDestination = await accepted;
        Assert.True(atDestination.IsLimited);
        Assert.Equal(ConnectionDirection.Inbound, atDestination.Direction);
        Assert.Contains(atDestination.RemoteAddress.Components, static c => c.Protocol == MultiaddrProtocol.P2pCircuit);
    }

    [Fact]
    public async Task A_peer_is_dialed_by_id_through_a_circuit_address_that_identify_would_carry()
    {
        await _net.StartRelayAsync();
        (Libp2pHost destination, _, RelayReservation reservation) = await _net.StartDestinationAsync();
        Libp2pHost dialer = await _net.StartHostAsync();
        // Identify carries "…/p2p-circuit" and the peer store keys it by peer: the host adds the destination.
        dialer.PeerStore.AddAddresses(destination.PeerId, [_net.RelayAddress.Encapsulate(Multiaddr.Parse("/p2p-circuit"))]);

        await using Libp2pStream stream = await Within(dialer.NewStreamAsync(destination.PeerId, [RelayNet.EchoProtocol], CancellationToken.None));

        Assert.Equal([1, 2, 3], await RelayNet.RoundTripAsync(stream, [1, 2, 3]));
        Assert.Contains(reservation.Addresses[0], destination.GetAdvertisedAddresses());
    }

    [Fact]
    public async Task More_data_than_the_limit_resets_both_streams()
    {
        await _net.StartRelayAsync(new RelayServiceOptions { CircuitDataLimit = 16 * 1024 });
        (Libp2pHost destination, _, RelayReservation reservation) = await _net.StartDestinationAsync();
        Libp2pHost dialer = await _net.StartHostAsync();
        var ended = new TaskCompletionSource<CircuitEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        _net.Service.CircuitEnded += (_, e) => ended.TrySetResult(e.End);
        Assert.Equal(16 * 1024, reservation.Limit.Data);

        Connection connection = await Within(dialer.DialAsync(reservation.Addresses[0], CancellationToken.None));
        Libp2pStream stream = await Within(connection.NewStreamAsync([RelayNet.EchoProtocol], CancellationToken.None));
        Task<byte[]> reading = RelayNet.ReadAllAsync(stream.Input);
        await stream.Output.WriteAsync(new byte[64 * 1024]);

        Assert.Equal(CircuitEnd.DataLimit, await Within(ended.Task));
        await Within(connection.Closed);
        await Assert.ThrowsAnyAsync<Exception>(() => Within(reading));
        Assert.Equal(0, _net.Service.CircuitCount);
    }

    [Fact]
    public async Task A_circuit_older_than_the_duration_limit_is_reset()
    {
        await _net.StartRelayAsync(new RelayServiceOptions { CircuitDuration = TimeSpan.FromSeconds(1) });
        (_, _, RelayReservation reservation) = await _net.StartDestinationAsync();
        Libp2pHost dialer = await _net.StartHostAsync();
        var ended = new TaskCompletionSource<CircuitEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        _net.Service.CircuitEnded += (_, e) => ended.TrySetResult(e.End);
        Assert.Equal(TimeSpan.FromSeconds(1), reservation.Limit.Duration);

        Connection connection = await Within(dialer.DialAsync(reservation.Addresses[0], CancellationToken.None));

        Assert.Equal(CircuitEnd.DurationLimit, await Within(ended.Task));
        await Within(connection.Closed);
    }

    [Fact]
    public async Task Connect_to_a_peer_without_a_reservation_is_refused_with_no_reservation()
    {
        await _net.StartRelayAsync();
        Libp2pHost unreserved = await _net.StartHostAsync();
        Libp2pHost dialer = await _net.StartHostAsync();
        await Within(unreserved.DialAsync(_net.RelayAddress, CancellationToken.None));

        var ex = await Assert.ThrowsAsync<Nnrp.Libp2p.Transport.TransportDialException>(() =>
            Within(dialer.DialAsync(CircuitAddress.For(_net.RelayAddress, unreserved.PeerId), CancellationToken.None)));

        Assert.Equal("NO_RESERVATION", Assert.IsType<RelayRefusedException>(ex.InnerException).StatusName);
    }

    [Fact]
    public async Task Circuits_beyond_the_per_peer_cap_are_refused_with_resource_limit_exceeded()
    {
        await _net.StartRelayAsync(new RelayServiceOptions { MaxCircuitsPerPeer = 1 });
        (Libp2pHost destination, _, RelayReservation reservation) = await _net.StartDestinationAsync();
        Libp2pHost first = await _net.StartHostAsync();
        Libp2pHost second = await _net.StartHostAsync();
        await Within(first.DialAsync(reservation.Addresses[0], CancellationToken.None));

        var ex = await Assert.ThrowsAsync<Nnrp.Libp2p.Transport.TransportDialException>(() =>
            Within(second.DialAsync(reservation.Addresses[0], CancellationToken.None)));

        Assert.Equal("RESOURCE_LIMIT_EXCEEDED", Assert.IsType<RelayRefusedException>(ex.InnerException).StatusName);
        Assert.Equal(1, _net.Service.CircuitCount);
        Assert.NotNull(destination.FindConnection(first.PeerId));
    }
}
