using System.Net;
using Nnrp.Libp2p.ConnectionManager;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Tests.Relay;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.ConnectionManager;

/// <summary>
/// NNRP.md §14.1 "Connection limits", relayed inbound: a circuit's socket address is the
/// relay's, so relayed connections have a bucket of their own instead of the relay's address caps.
/// </summary>
public sealed class RelayedAdmissionTests
{
    private static readonly IPAddress Relay = IPAddress.Parse("203.0.113.7");

    [Fact]
    public async Task A_node_behind_a_relay_accepts_more_peers_through_it_than_one_address_may_hold()
    {
        await using var net = new RelayNet();
        // The relay itself sees every dialer at 127.0.0.1: exempt there, so only the destination's caps are under test.
        await net.StartRelayAsync(limits: new ConnectionLimits { ExemptNetworks = [IPNetwork.Parse("127.0.0.0/8")] });
        (Libp2pHost destination, _, RelayReservation reservation) = await net.StartDestinationAsync();
        int peers = new ConnectionLimits().MaxInboundPerIp + 4;

        for (int i = 0; i < peers; i++)
        {
            Libp2pHost dialer = await net.StartHostAsync();
            await using Libp2pStream stream = await Within(dialer.NewStreamAsync(reservation.Addresses[0], [RelayNet.EchoProtocol], CancellationToken.None));
            Assert.Equal([(byte)i], await RelayNet.RoundTripAsync(stream, [(byte)i]));
        }

        Assert.Equal(peers, destination.Connections.Count(c => c.IsLimited && c.Direction == ConnectionDirection.Inbound));
    }

    [Fact]
    public void Relayed_handshakes_have_their_own_pending_cap_and_leave_the_pending_table_to_direct_ones()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxPendingInbound = 2, MaxPendingRelayedInbound = 3 });
        for (int i = 0; i < 3; i++)
        {
            Assert.True(gater.TryBeginRelayedInbound(static () => { }, out _, out _));
        }
        Assert.False(gater.TryBeginRelayedInbound(static () => { }, out _, out string? refusal));
        Assert.Contains("relayed pending handshake limit 3", refusal, StringComparison.Ordinal);

        // The relay's own address is not charged: direct handshakes from it and elsewhere still fit.
        Assert.True(gater.TryBeginInbound(Relay, static () => { }, out _, out _));
        Assert.True(gater.TryBeginInbound(IPAddress.Parse("198.51.100.1"), static () => { }, out _, out _));
        Assert.Equal(2, gater.Pending);
    }

    [Fact]
    public void Relayed_connections_stop_at_their_own_cap_and_free_it_when_they_close()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxRelayedInbound = 2 });
        PeerId[] peers = [KeyPair.Generate().PeerId, KeyPair.Generate().PeerId];
        foreach (PeerId peer in peers)
        {
            Assert.True(gater.TryBeginRelayedInbound(static () => { }, out PendingHandshake? pending, out _));
            Assert.True(pending.Relayed);
            gater.EndPending(pending);
            Assert.True(gater.TryAddInbound(null, peer, out _));
        }
        Assert.False(gater.TryBeginRelayedInbound(static () => { }, out _, out string? refusal));
        Assert.Contains("relayed connection limit 2", refusal, StringComparison.Ordinal);
        Assert.Equal(2, gater.RelayedInbound);

        gater.Remove(null, peers[0], ConnectionDirection.Inbound, relayed: true);
        Assert.Equal(1, gater.RelayedInbound);
        Assert.True(gater.TryBeginRelayedInbound(static () => { }, out _, out _));
        Assert.Equal(1, gater.Inbound);
    }
}
