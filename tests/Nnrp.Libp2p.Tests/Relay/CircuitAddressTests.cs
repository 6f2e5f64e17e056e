using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>Relayed addresses: relay part, /p2p-circuit, destination.</summary>
public class CircuitAddressTests
{
    private const string Relay = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
    private const string Target = "12D3KooWHFrmLWTTDD4NodngtRMEVYgxrsDMp4F9Xbpc5ya5GPPn";

    [Fact]
    public void A_full_circuit_address_splits_into_relay_and_destination()
    {
        Assert.True(CircuitAddress.TryParse(Multiaddr.Parse($"/ip4/192.0.2.1/tcp/4001/p2p/{Relay}/p2p-circuit/p2p/{Target}"), out CircuitAddress? c));

        Assert.Equal(Multiaddr.Parse($"/ip4/192.0.2.1/tcp/4001/p2p/{Relay}"), c.Relay);
        Assert.Equal(PeerId.Parse(Relay), c.RelayPeer);
        Assert.Equal(PeerId.Parse(Target), c.Destination);
        Assert.Equal(Multiaddr.Parse($"/ip4/192.0.2.1/tcp/4001/p2p/{Relay}/p2p-circuit"), c.ToRelayedAddress());
    }

    [Theory]
    [InlineData("/ip4/192.0.2.1/tcp/4001/p2p-circuit/p2p/" + Target)]
    [InlineData("/ip4/192.0.2.1/tcp/4001/p2p/" + Target)]
    [InlineData("/p2p/" + Relay + "/p2p-circuit/p2p/" + Relay + "/p2p-circuit/p2p/" + Target)]
    [InlineData("/p2p/" + Relay + "/p2p-circuit/ip4/1.2.3.4")]
    public void Addresses_without_a_named_relay_or_with_a_relay_chain_are_not_circuits_we_dial(string text)
    {
        Assert.False(CircuitAddress.TryParse(Multiaddr.Parse(text), out _));
    }

    [Fact]
    public void A_relay_named_by_id_alone_and_a_missing_destination_parse()
    {
        Assert.True(CircuitAddress.TryParse(Multiaddr.Parse($"/p2p/{Relay}/p2p-circuit"), out CircuitAddress? c));
        Assert.Null(c.Destination);
        Assert.Single(c.Relay.Components);
    }
}
