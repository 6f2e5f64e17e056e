using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Relay;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>circuit-v2.md "Reservation": slots are granted with a voucher, bounded in number, per address and in time.</summary>
public sealed class ReservationTests : IAsyncLifetime
{
    private readonly RelayNet _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task A_reservation_comes_with_a_voucher_the_relay_signed_for_this_peer_and_the_relay_addresses()
    {
        await _net.StartRelayAsync();
        (Libp2pHost destination, RelayClient client, RelayReservation reservation) = await _net.StartDestinationAsync();

        Assert.NotNull(reservation.Voucher);
        Assert.Equal(_net.Relay.PeerId, reservation.Voucher.Relay);
        Assert.Equal(destination.PeerId, reservation.Voucher.Peer);
        Assert.Equal((ulong)reservation.Expires.ToUnixTimeSeconds(), reservation.Voucher.Expiration);
        Assert.InRange(reservation.Expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal(RelayServiceOptions.DefaultCircuitDataLimit, reservation.Limit.Data);
        Assert.Equal(RelayServiceOptions.DefaultCircuitDuration, reservation.Limit.Duration);
        Assert.Equal([CircuitAddress.For(_net.RelayAddress, destination.PeerId)], reservation.Addresses);
        Assert.Contains(reservation.Addresses[0], destination.GetAdvertisedAddresses());
        Assert.True(_net.Relay.IsProtected(destination.PeerId));
        Assert.True(destination.IsProtected(_net.Relay.PeerId));
        Assert.Single(client.Reservations);
    }

    [Fact]
    public async Task A_second_reserve_refreshes_the_slot_and_takes_no_other()
    {
        await _net.StartRelayAsync(new RelayServiceOptions { MaxReservations = 1 });
        (_, RelayClient client, _) = await _net.StartDestinationAsync();

        await Within(client.ReserveAsync(_net.RelayAddress, CancellationToken.None));

        Assert.Equal(1, _net.Service.ReservationCount);
    }

    [Fact]
    public async Task Reservations_beyond_the_limit_are_refused()
    {
        await _net.StartRelayAsync(new RelayServiceOptions { MaxReservations = 2 });
        await _net.StartDestinationAsync();
        await _net.StartDestinationAsync();
        Libp2pHost third = await _net.StartHostAsync();

        var ex = await Assert.ThrowsAsync<RelayRefusedException>(() =>
            Within(new RelayClient(third).ReserveAsync(_net.RelayAddress, CancellationToken.None)));

        Assert.Equal("RESERVATION_REFUSED", ex.StatusName);
        Assert.Equal(2, _net.Service.ReservationCount);
    }

    [Fact]
    public async Task Many_peer_ids_from_one_address_take_no_more_than_the_per_address_share()
    {
        // A hostile host mints peer ids for free; its address is what it cannot multiply.
        await _net.StartRelayAsync(new RelayServiceOptions { MaxReservations = 100, MaxReservationsPerIp = 3 });
        int granted = 0, refused = 0;
        for (int i = 0; i < 6; i++)
        {
            Libp2pHost attacker = await _net.StartHostAsync();
            try
            {
                await Within(new RelayClient(attacker).ReserveAsync(_net.RelayAddress, CancellationToken.None));
                granted++;
            }
            catch (RelayRefusedException ex) when (ex.StatusName == "RESERVATION_REFUSED")
            {
                refused++;
            }
        }

        Assert.Equal(3, granted);
        Assert.Equal(3, refused);
        Assert.Equal(3, _net.Service.ReservationCount);
    }

    [Fact]
    public async Task A_reservation_ends_with_the_connection_that_made_it()
    {
        await _net.StartRelayAsync();
        (Libp2pHost destination, _, _) = await _net.StartDestinationAsync();
        Task<Connection> closed = ClosedWith(_net.Relay, destination.PeerId);

        await destination.DisconnectAsync(_net.Relay.PeerId);
        await closed;

        Assert.Equal(0, _net.Service.ReservationCount);
        Assert.False(_net.Relay.IsProtected(destination.PeerId));
    }

    [Fact]
    public async Task A_client_keeps_its_reservation_and_takes_it_again_after_the_relay_connection_drops()
    {
        await _net.StartRelayAsync();
        Libp2pHost destination = await _net.StartHostAsync();
        await using var client = new RelayClient(destination);
        var changed = new SemaphoreSlim(0);
        client.ReservationsChanged += (_, _) => changed.Release();

        client.KeepReservations([_net.RelayAddress]);
        await Within(changed.WaitAsync());
        Assert.Single(client.Reservations);
        await destination.DisconnectAsync(_net.Relay.PeerId);
        await Within(changed.WaitAsync()); // dropped
        await Within(changed.WaitAsync()); // taken again

        Assert.Single(client.Reservations);
        Assert.Equal(1, _net.Service.ReservationCount);
    }
}
