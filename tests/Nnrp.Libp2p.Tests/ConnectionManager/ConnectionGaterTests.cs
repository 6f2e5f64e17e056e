using System.Net;
using Nnrp.Libp2p.ConnectionManager;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.ConnectionManager;

/// <summary>The admission bookkeeping of NNRP.md §14.1, driven without sockets.</summary>
public sealed class ConnectionGaterTests
{
    private static readonly IPAddress A = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress SameSubnetAsA = IPAddress.Parse("203.0.113.99");
    private static readonly IPAddress Elsewhere = IPAddress.Parse("198.51.100.1");

    private static PeerId NewPeer() => KeyPair.Generate().PeerId;

    [Fact]
    public void Pending_handshakes_from_one_address_stop_at_the_per_address_cap()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxPendingInboundPerIp = 2 });
        Assert.True(gater.TryBeginInbound(A, out _));
        Assert.True(gater.TryBeginInbound(A, out _));
        Assert.False(gater.TryBeginInbound(A, out string? refusal));
        Assert.Contains("per-address pending", refusal, StringComparison.Ordinal);
        Assert.True(gater.TryBeginInbound(Elsewhere, out _));

        gater.EndPending(A);
        Assert.True(gater.TryBeginInbound(A, out _));
        Assert.Equal(3, gater.Pending);
    }

    [Fact]
    public void Pending_handshakes_from_one_subnet_and_in_total_are_capped()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxPendingInboundPerSubnet = 2, MaxPendingInbound = 3 });
        Assert.True(gater.TryBeginInbound(A, out _));
        Assert.True(gater.TryBeginInbound(SameSubnetAsA, out _));
        Assert.False(gater.TryBeginInbound(IPAddress.Parse("203.0.113.200"), out string? subnet));
        Assert.Contains("per-subnet pending", subnet, StringComparison.Ordinal);

        Assert.True(gater.TryBeginInbound(Elsewhere, out _));
        Assert.False(gater.TryBeginInbound(IPAddress.Parse("192.0.2.1"), out string? total));
        Assert.Contains("pending handshake limit 3", total, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_address_cap_counts_pending_and_established_together()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxInboundPerIp = 2 });
        Assert.True(gater.TryBeginInbound(A, out _));
        gater.EndPending(A);
        Assert.True(gater.TryAddInbound(A, NewPeer(), out _));
        Assert.True(gater.TryBeginInbound(A, out _));

        Assert.False(gater.TryBeginInbound(A, out string? refusal));
        Assert.Contains("per-address connection limit 2", refusal, StringComparison.Ordinal);

        gater.EndPending(A);
        Assert.True(gater.TryAddInbound(A, NewPeer(), out _));
        Assert.False(gater.TryAddInbound(A, NewPeer(), out _));
    }

    [Fact]
    public void The_per_subnet_cap_counts_established_connections_from_every_address_in_it()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxInboundPerSubnet = 2 });
        Assert.True(gater.TryAddInbound(A, NewPeer(), out _));
        Assert.True(gater.TryAddInbound(SameSubnetAsA, NewPeer(), out _));
        Assert.False(gater.TryBeginInbound(IPAddress.Parse("203.0.113.1"), out string? refusal));
        Assert.Contains("per-subnet connection limit", refusal, StringComparison.Ordinal);
        Assert.True(gater.TryBeginInbound(Elsewhere, out _));
    }

    [Fact]
    public void Inbound_connections_never_take_the_slots_kept_for_dials()
    {
        var limits = new ConnectionLimits { MaxConnections = 8, ReservedOutboundSlots = 2, ExemptNetworks = [IPNetwork.Parse("0.0.0.0/0")] };
        var gater = new ConnectionGater(limits);
        for (int i = 0; i < 6; i++)
        {
            Assert.True(gater.TryAddInbound(A, NewPeer(), out _));
        }
        Assert.False(gater.TryBeginInbound(A, out string? atAccept));
        Assert.Contains("inbound connection limit 6", atAccept, StringComparison.Ordinal);
        Assert.False(gater.TryAddInbound(A, NewPeer(), out _));

        Assert.True(gater.HasOutboundRoom);
        gater.AddOutbound(NewPeer());
        gater.AddOutbound(NewPeer());
        Assert.False(gater.HasOutboundRoom);
        Assert.Equal(8, gater.Established);
    }

    [Fact]
    public void Pending_handshakes_count_against_the_inbound_slots()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxConnections = 4, ReservedOutboundSlots = 2 });
        Assert.True(gater.TryBeginInbound(A, out _));
        Assert.True(gater.TryBeginInbound(Elsewhere, out _));
        Assert.False(gater.TryBeginInbound(IPAddress.Parse("192.0.2.1"), out _));
    }

    [Fact]
    public void A_peer_gets_at_most_its_per_peer_connections()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxConnectionsPerPeer = 2 });
        PeerId peer = NewPeer();
        gater.AddOutbound(peer);
        Assert.True(gater.TryAddInbound(A, peer, out _));
        Assert.False(gater.TryAddInbound(Elsewhere, peer, out string? refusal));
        Assert.Contains("per-peer", refusal, StringComparison.Ordinal);

        gater.Remove(null, peer, ConnectionDirection.Outbound);
        Assert.True(gater.TryAddInbound(Elsewhere, peer, out _));
    }

    [Fact]
    public void Exempt_networks_skip_the_address_caps_but_not_the_totals()
    {
        var limits = new ConnectionLimits { MaxPendingInboundPerIp = 1, MaxInboundPerIp = 1, MaxPendingInbound = 3, ExemptNetworks = ConnectionLimits.LoopbackNetworks };
        var gater = new ConnectionGater(limits);
        IPAddress loopback = IPAddress.Loopback;
        Assert.True(gater.TryBeginInbound(loopback, out _));
        Assert.True(gater.TryBeginInbound(loopback, out _));
        Assert.True(gater.TryBeginInbound(IPAddress.Parse("::ffff:127.0.0.1"), out _));
        Assert.False(gater.TryBeginInbound(loopback, out string? refusal));
        Assert.Contains("pending handshake limit 3", refusal, StringComparison.Ordinal);

        Assert.True(gater.IsExempt(IPAddress.Parse("127.5.6.7")));
        Assert.False(gater.IsExempt(A));
    }

    [Fact]
    public void Closing_every_connection_returns_every_count_to_zero()
    {
        var gater = new ConnectionGater(new ConnectionLimits { MaxInboundPerIp = 1 });
        PeerId peer = NewPeer();
        Assert.True(gater.TryBeginInbound(A, out _));
        gater.EndPending(A);
        Assert.True(gater.TryAddInbound(A, peer, out _));
        gater.AddOutbound(peer);
        gater.Remove(A, peer, ConnectionDirection.Inbound);
        gater.Remove(null, peer, ConnectionDirection.Outbound);

        Assert.Equal(0, gater.Established);
        Assert.Equal(0, gater.Pending);
        Assert.True(gater.TryBeginInbound(A, out _));
    }

    [Fact]
    public void IPv6_hosts_are_counted_by_their_64_and_subnets_by_their_48()
    {
        AddressGroup one = AddressGroup.Of(IPAddress.Parse("2001:db8:1:2:aaaa::1"));
        AddressGroup sameHost = AddressGroup.Of(IPAddress.Parse("2001:db8:1:2:bbbb::9"));
        AddressGroup sameSubnet = AddressGroup.Of(IPAddress.Parse("2001:db8:1:ffff::1"));
        Assert.Equal(one.Host, sameHost.Host);
        Assert.NotEqual(one.Host, sameSubnet.Host);
        Assert.Equal(one.Subnet, sameSubnet.Subnet);
        Assert.Equal(IPAddress.Parse("2001:db8:1::"), one.Subnet);

        AddressGroup v4 = AddressGroup.Of(IPAddress.Parse("::ffff:203.0.113.7"));
        Assert.Equal(A, v4.Host);
        Assert.Equal(IPAddress.Parse("203.0.113.0"), v4.Subnet);
    }
}
