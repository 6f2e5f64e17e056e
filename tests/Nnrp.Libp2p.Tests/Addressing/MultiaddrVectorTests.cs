using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Tests.Addressing;

/// <summary>
/// Text ↔ binary vectors published with the multiaddr implementations: the multiaddr repo
/// README and test/multiaddr.feature, go-multiaddr TestStringToBytes/TestBytesToString and
/// rust-multiaddr's <c>ma_valid</c> table (each pair is the same in all of them).
/// </summary>
public class MultiaddrVectorTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/udp/1234", "047f000001910204d2")] // README "Specification"
    [InlineData("/ip4/192.0.2.42/tcp/443", "04c000022a0601bb")]   // test/multiaddr.feature
    [InlineData("/ip4/127.0.0.1/tcp/4321", "047f0000010610e1")]
    [InlineData("/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321", "047f000001910204d2047f0000010610e1")]
    [InlineData("/ip4/1.2.3.4", "0401020304")]
    [InlineData("/ip4/0.0.0.0", "0400000000")]
    [InlineData("/ip6/::1", "2900000000000000000000000000000001")]
    [InlineData("/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21", "29260100094f819700803eca6566e80c21")]
    [InlineData("/ip6zone/eth0/ip6/::1", "2a046574683029" + "00000000000000000000000000000001")]
    [InlineData("/udp/0", "91020000")]
    [InlineData("/tcp/0", "060000")]
    [InlineData("/sctp/0", "84010000")]
    [InlineData("/udp/1234", "910204d2")]
    [InlineData("/tcp/1234", "0604d2")]
    [InlineData("/sctp/1234", "840104d2")]
    [InlineData("/udp/65535", "9102ffff")]
    [InlineData("/tcp/65535", "06ffff")]
    [InlineData("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b")]
    [InlineData("/udp/1234/sctp/1234", "910204d2840104d2")]
    [InlineData("/udp/1234/udt", "910204d2ad02")]
    [InlineData("/udp/1234/utp", "910204d2ae02")]
    [InlineData("/tcp/1234/http", "0604d2e003")]
    [InlineData("/tcp/1234/tls/http", "0604d2c003e003")]
    [InlineData("/tcp/1234/https", "0604d2bb03")]
    [InlineData("/ip4/127.0.0.1/udp/0", "047f00000191020000")]
    [InlineData("/ip4/127.0.0.1/tcp/1234", "047f0000010604d2")]
    [InlineData("/dnsaddr/sjc-1.bootstrap.libp2p.io", "3819736a632d312e626f6f7473747261702e6c69627032702e696f")]
    [InlineData("/ip4/127.0.0.1/tcp/127/ws", "047f00000106007fdd03")]
    [InlineData("/ip4/127.0.0.1/tcp/127/tls", "047f00000106007fc003")]
    [InlineData("/ip4/127.0.0.1/tcp/127/tls/ws", "047f00000106007fc003dd03")]
    [InlineData("/ip4/127.0.0.1/tcp/127/noise", "047f00000106007fc603")]
    public void Text_and_binary_forms_match_the_published_vectors(string text, string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.Equal(hex, Convert.ToHexStringLower(Multiaddr.Parse(text).ToBytes()));
        Assert.Equal(text, Multiaddr.FromBytes(bytes).ToString());
    }

    [Fact]
    public void Components_of_the_feature_scenario_carry_code_and_raw_value()
    {
        var address = Multiaddr.Parse("/ip4/192.0.2.42/tcp/443");
        Assert.Collection(address.Components,
            c =>
            {
                Assert.Equal(MultiaddrProtocol.Ip4, c.Protocol);
                Assert.Equal("c000022a", Convert.ToHexStringLower(c.Value.Span));
                Assert.Equal("192.0.2.42", c.ValueString);
                Assert.Equal("/ip4/192.0.2.42", c.ToString());
            },
            c =>
            {
                Assert.Equal(MultiaddrProtocol.Tcp, c.Protocol);
                Assert.Equal("01bb", Convert.ToHexStringLower(c.Value.Span));
                Assert.Equal("443", c.ValueString);
            });
    }

    [Theory]
    [InlineData(MultiaddrProtocol.Ip4, 4, "ip4")]
    [InlineData(MultiaddrProtocol.Tcp, 6, "tcp")]
    [InlineData(MultiaddrProtocol.Dns, 53, "dns")]
    [InlineData(MultiaddrProtocol.Dns4, 54, "dns4")]
    [InlineData(MultiaddrProtocol.Dns6, 55, "dns6")]
    [InlineData(MultiaddrProtocol.Dnsaddr, 56, "dnsaddr")]
    [InlineData(MultiaddrProtocol.Udp, 273, "udp")]
    [InlineData(MultiaddrProtocol.Ip6, 41, "ip6")]
    [InlineData(MultiaddrProtocol.P2pCircuit, 290, "p2p-circuit")]
    [InlineData(MultiaddrProtocol.QuicV1, 461, "quic-v1")]
    [InlineData(MultiaddrProtocol.Tls, 448, "tls")]
    [InlineData(MultiaddrProtocol.Ws, 477, "ws")]
    [InlineData(MultiaddrProtocol.Wss, 478, "wss")]
    [InlineData(MultiaddrProtocol.P2p, 421, "p2p")]
    [InlineData(MultiaddrProtocol.Sni, 449, "sni")]
    [InlineData(MultiaddrProtocol.Noise, 454, "noise")]
    [InlineData(MultiaddrProtocol.WebTransport, 465, "webtransport")]
    [InlineData(MultiaddrProtocol.Certhash, 466, "certhash")]
    [InlineData(MultiaddrProtocol.WebRtcDirect, 280, "webrtc-direct")]
    [InlineData(MultiaddrProtocol.WebRtc, 281, "webrtc")]
    [InlineData(MultiaddrProtocol.Http, 480, "http")]
    [InlineData(MultiaddrProtocol.Https, 443, "https")]
    public void Protocol_codes_and_names_match_protocols_csv(MultiaddrProtocol protocol, int code, string name)
    {
        Assert.Equal(code, (int)protocol);
        Assert.Equal(name, new MultiaddrComponent(protocol, ReadOnlyMemory<byte>.Empty).Name);
    }
}
