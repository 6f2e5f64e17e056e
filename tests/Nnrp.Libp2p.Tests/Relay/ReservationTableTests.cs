using System.Net;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Relay.Protobuf;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>The reservation table as a state machine fed the time: expiry frees slots, refresh keeps one.</summary>
public class ReservationTableTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static PeerId NewPeer()
    {
        using var key = KeyPair.Generate();
        return key.PeerId;
    }

    [Fact]
    public void An_expired_reservation_frees_its_slot_and_no_longer_counts()
    {
        var options = new RelayServiceOptions { MaxReservations = 1, ReservationTtl = TimeSpan.FromMinutes(10) };
        var table = new ReservationTable(options);
        PeerId a = NewPeer(), b = NewPeer();

        Assert.Equal(Status.Ok, table.TryReserve(a, IPAddress.Loopback, Now, out DateTimeOffset expires));
        Assert.Equal(Now + options.ReservationTtl, expires);
        Assert.Equal(Status.ReservationRefused, table.TryReserve(b, IPAddress.Loopback, Now, out _));
        Assert.True(table.Has(a, expires - TimeSpan.FromSeconds(1)));
        Assert.False(table.Has(a, expires));

        Assert.Equal(Status.Ok, table.TryReserve(b, IPAddress.Loopback, expires, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void A_refresh_from_the_same_peer_extends_the_expiry_without_a_new_slot()
    {
        var table = new ReservationTable(new RelayServiceOptions { MaxReservations = 1 });
        PeerId a = NewPeer();

        table.TryReserve(a, IPAddress.Loopback, Now, out DateTimeOffset first);
        Assert.Equal(Status.Ok, table.TryReserve(a, IPAddress.Loopback, Now + TimeSpan.FromMinutes(30), out DateTimeOffset second));

        Assert.True(second > first);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void The_per_address_cap_also_holds_when_a_peer_moves_to_a_crowded_address()
    {
        var table = new ReservationTable(new RelayServiceOptions { MaxReservationsPerIp = 1 });
        PeerId a = NewPeer(), b = NewPeer();
        IPAddress crowded = IPAddress.Parse("192.0.2.1");

        Assert.Equal(Status.Ok, table.TryReserve(a, crowded, Now, out _));
        Assert.Equal(Status.Ok, table.TryReserve(b, IPAddress.Parse("192.0.2.2"), Now, out _));

        Assert.Equal(Status.ReservationRefused, table.TryReserve(b, crowded, Now, out _));
    }
}
