using Nnrp.Libp2p.Addressing;
using Nnrp.Node.Crawl;

namespace Nnrp.Node.Tests.Crawl;

/// <summary>The one-word transport the crawl report gives each address.</summary>
public sealed class TransportNamesTests
{
    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/4001", "tcp")]
    [InlineData("/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", "tcp")]
    [InlineData("/dns4/node.example.org/tcp/80/ws", "ws")]
    [InlineData("/dns4/node.example.org/tcp/443/tls/ws", "tls/ws")]
    [InlineData("/dns4/node.example.org/tcp/443/tls/sni/node.example.org/ws", "tls/ws")]
    [InlineData("/dns4/node.example.org/tcp/443/wss", "tls/ws")]
    [InlineData("/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit", "relay")]
    [InlineData("/ip4/1.2.3.4/udp/4001/quic-v1", "quic")]
    [InlineData("/ip4/1.2.3.4/udp/4001/quic-v1/webtransport", "quic")]
    [InlineData("/ip4/1.2.3.4/udp/4001/webrtc-direct", "webrtc")]
    [InlineData("/dns4/node.example.org/tcp/443/tls/http", "https")]
    [InlineData("/dns4/node.example.org/tcp/443/https", "https")]
    [InlineData("/ip4/1.2.3.4/tcp/8080/http", "http")]
    [InlineData("/unix/tmp%2Fnnrp.sock", "other")]
    public void Each_address_gets_its_transport(string address, string transport) =>
        Assert.Equal(transport, TransportNames.Of(Multiaddr.Parse(address)));

    [Fact]
    public void A_node_s_transports_are_distinct_and_ordered()
    {
        Multiaddr[] addresses = [Multiaddr.Parse("/ip4/1.2.3.4/tcp/4002/ws"), Multiaddr.Parse("/ip4/1.2.3.4/tcp/4001"), Multiaddr.Parse("/ip6/::1/tcp/4001")];
        Assert.Equal(["tcp", "ws"], TransportNames.Of(addresses));
    }
}
