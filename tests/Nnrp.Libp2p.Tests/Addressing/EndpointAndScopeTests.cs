using System.Net;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Tests.Addressing;

/// <summary>Addresses as socket endpoints, and where they point (loopback, private, public).</summary>
public class EndpointAndScopeTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/4001", "127.0.0.1:4001")]
    [InlineData("/ip6/::1/tcp/65535", "[::1]:65535")]
    [InlineData("/ip4/1.2.3.4/tcp/80/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV", "1.2.3.4:80")]
    public void Ip_and_tcp_prefix_is_an_endpoint(string text, string endpoint)
    {
        Assert.True(Multiaddr.Parse(text).TryGetIPEndPoint(out IPEndPoint? result));
        Assert.Equal(IPEndPoint.Parse(endpoint), result);
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/udp/4001")]
    [InlineData("/dns4/localhost/tcp/4001")]
    [InlineData("/ip4/127.0.0.1")]
    [InlineData("/tcp/1/ip4/127.0.0.1")]
    public void Other_addresses_are_not_tcp_endpoints(string text) =>
        Assert.False(Multiaddr.Parse(text).TryGetIPEndPoint(out _));

    [Theory]
    [InlineData("127.0.0.1:4001", "/ip4/127.0.0.1/tcp/4001")]
    [InlineData("[2001:db8::1]:0", "/ip6/2001:db8::1/tcp/0")]
    [InlineData("[::ffff:10.0.0.1]:80", "/ip4/10.0.0.1/tcp/80")]
    public void FromIPEndPoint_builds_ip_and_tcp(string endpoint, string text) =>
        Assert.Equal(text, Multiaddr.FromIPEndPoint(IPEndPoint.Parse(endpoint)).ToString());

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/1", true)]
    [InlineData("/ip4/127.255.0.9", true)]
    [InlineData("/ip6/::1/tcp/1", true)]
    [InlineData("/ip6/::ffff:127.0.0.1", true)]
    [InlineData("/dns4/localhost/tcp/1", true)]
    [InlineData("/dns/api.localhost", true)]
    [InlineData("/ip4/10.0.0.1/tcp/1", false)]
    [InlineData("/ip6/::/tcp/1", false)]
    [InlineData("/dns4/example.com/tcp/1", false)]
    [InlineData("/p2p-circuit", false)]
    public void Loopback_is_recognised(string text, bool loopback) =>
        Assert.Equal(loopback, Multiaddr.Parse(text).IsLoopback);

    [Theory]
    [InlineData("/ip4/8.8.8.8/tcp/1", true)]
    [InlineData("/ip4/1.2.3.4", true)]
    [InlineData("/ip4/172.32.0.1", true)]
    [InlineData("/ip4/100.128.0.1", true)]
    [InlineData("/ip6/2606:4700::1111", true)]
    [InlineData("/ip6/::ffff:8.8.8.8", true)]
    [InlineData("/dns4/bootstrap.libp2p.io/tcp/4001", true)]
    [InlineData("/dnsaddr/bootstrap.libp2p.io", true)]
    [InlineData("/ip4/127.0.0.1", false)]
    [InlineData("/ip4/0.0.0.0", false)]
    [InlineData("/ip4/10.1.2.3", false)]
    [InlineData("/ip4/172.16.0.1", false)]
    [InlineData("/ip4/172.31.255.255", false)]
    [InlineData("/ip4/192.168.1.1", false)]
    [InlineData("/ip4/169.254.1.1", false)]
    [InlineData("/ip4/100.64.0.1", false)]
    [InlineData("/ip4/192.0.2.42", false)]
    [InlineData("/ip4/224.0.0.251", false)]
    [InlineData("/ip4/255.255.255.255", false)]
    [InlineData("/ip6/::", false)]
    [InlineData("/ip6/::1", false)]
    [InlineData("/ip6/fe80::1", false)]
    [InlineData("/ip6/fd00::1", false)]
    [InlineData("/ip6/2001:db8::1", false)]
    [InlineData("/ip6/ff02::1", false)]
    [InlineData("/ip6/::ffff:192.168.0.1", false)]
    [InlineData("/dns4/localhost/tcp/1", false)]
    [InlineData("/dns/printer.local", false)]
    [InlineData("/p2p-circuit", false)]
    public void Public_routability_excludes_loopback_private_link_local_and_unspecified(string text, bool routable) =>
        Assert.Equal(routable, Multiaddr.Parse(text).IsPubliclyRoutable);
}
