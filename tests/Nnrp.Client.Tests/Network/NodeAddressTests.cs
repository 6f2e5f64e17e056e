using Nnrp.Client.Network;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Client.Tests.Network;

/// <summary>
/// NNRP.md §10.3 and §12 "Browser doors": a relay hint or peer record may name a node's HTTP API
/// as a multiaddr; the wallet reads it as the URL it stands for.
/// </summary>
public sealed class NodeAddressTests
{
    [Theory]
    [InlineData("/ip4/203.0.113.5/tcp/8080/http", "http://203.0.113.5:8080/")]
    [InlineData("/ip6/2001:db8::1/tcp/8443/tls/http", "https://[2001:db8::1]:8443/")]
    [InlineData("/dns4/node.example.org/tcp/443/tls/http", "https://node.example.org/")]
    [InlineData("/dns/node.example.org/tcp/443/https", "https://node.example.org/")]
    [InlineData("/dns6/node.example.org/tcp/80/http", "http://node.example.org/")]
    [InlineData("/dns4/node.example.org/tcp/8443/tls/http/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", "https://node.example.org:8443/")]
    public void An_http_multiaddr_is_read_as_the_url_of_the_api(string hint, string url)
    {
        NodeAddress node = NodeAddress.Parse(hint);

        Assert.Equal(new Uri(url), node.Url);
        Assert.Null(node.Address);
    }

    [Theory]
    [InlineData("https://node.example.org", "/dns4/node.example.org/tcp/443/tls/http")]
    [InlineData("http://203.0.113.5:8080/", "/ip4/203.0.113.5/tcp/8080/http")]
    [InlineData("https://[2001:db8::1]:8443", "/ip6/2001:db8::1/tcp/8443/tls/http")]
    public void A_url_and_its_multiaddr_name_the_same_door(string url, string multiaddr)
    {
        Assert.Equal(multiaddr, Nnrp.Protocol.Doors.HttpDoorAddress.FromUrl(new Uri(url)).ToString());
        Assert.Equal(NodeAddress.Parse(url).Url, NodeAddress.Parse(multiaddr).Url);
    }

    [Theory]
    [InlineData("https://node.example.org/nnrp/")]
    [InlineData("https://user@node.example.org/")]
    [InlineData("https://node.example.org/?x=1")]
    public void A_url_that_is_more_than_scheme_host_and_port_has_no_multiaddr(string url)
    {
        Assert.Throws<FormatException>(() => Nnrp.Protocol.Doors.HttpDoorAddress.FromUrl(new Uri(url)));
    }

    [Fact]
    public void A_libp2p_multiaddr_still_needs_its_peer_id()
    {
        Assert.Throws<FormatException>(() => NodeAddress.Parse("/ip4/203.0.113.5/tcp/4001"));
        Assert.Throws<FormatException>(() => NodeAddress.Parse("/ip4/203.0.113.5/tcp/4001/ws"));
    }

    [Fact]
    public void A_provider_record_is_dialed_over_libp2p_when_it_can_be_and_over_http_otherwise()
    {
        using KeyPair key = KeyPair.Generate();
        byte[] id = key.PeerId.Bytes.ToArray();
        Multiaddr http = Multiaddr.Parse("/dns4/node.example.org/tcp/443/tls/http"), tcp = Multiaddr.Parse("/dns4/node.example.org/tcp/4001");

        NodeAddress? both = NodeDiscovery.ToNode(new KadPeer(id, [http, tcp]));
        NodeAddress? httpOnly = NodeDiscovery.ToNode(new KadPeer(id, [http]));

        Assert.Equal(tcp.WithPeerIdMultihash(id), both?.Address);
        Assert.Equal(new Uri("https://node.example.org/"), httpOnly?.Url);
    }
}
