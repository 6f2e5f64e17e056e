using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Tests.Addressing;

/// <summary>
/// The text form: every supported protocol parses and prints back unchanged; malformed
/// input (go-multiaddr TestConstructFails, restricted to protocols we carry) is refused
/// with a <see cref="MultiaddrFormatException"/> naming what is wrong.
/// </summary>
public class MultiaddrTextFormTests
{
    [Theory]
    [InlineData("/ip4/1.2.3.4")]
    [InlineData("/ip4/0.0.0.0")]
    [InlineData("/ip4/192.0.2.0/ipcidr/24")]
    [InlineData("/ip6/::1")]
    [InlineData("/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic")]
    [InlineData("/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic-v1")]
    [InlineData("/ip6/2001:db8::/ipcidr/32")]
    [InlineData("/ip6zone/x/ip6/fe80::1")]
    [InlineData("/ip6zone/x%y/ip6/fe80::1")]
    [InlineData("/ip6zone/x/ip6/fe80::1/udp/1234/quic-v1")]
    [InlineData("/dccp/80")]
    [InlineData("/dns/example.com/tcp/443/wss")]
    [InlineData("/dns4/bootstrap.libp2p.io/tcp/4001")]
    [InlineData("/dns6/example.com/udp/4001/quic-v1")]
    [InlineData("/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN")]
    [InlineData("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234")]
    [InlineData("/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV")]
    [InlineData("/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g")]
    [InlineData("/unix/a/b/c/d/e")]
    [InlineData("/unix/stdio")]
    [InlineData("/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f")]
    [InlineData("/ip4/127.0.0.1/tcp/127/tls/sni/example.com/ws")]
    [InlineData("/ip4/127.0.0.1/tcp/127/noise")]
    [InlineData("/ip4/127.0.0.1/tcp/127/webrtc-direct")]
    [InlineData("/ip4/127.0.0.1/udp/9/webrtc")]
    [InlineData("/p2p-circuit/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")]
    [InlineData("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/p2p-circuit")]
    [InlineData("/ip4/127.0.0.1/udp/1234/udt")]
    [InlineData("/ip4/127.0.0.1/udp/1234/utp")]
    [InlineData("/ip4/127.0.0.1/tcp/80/http")]
    [InlineData("/ip4/127.0.0.1/tcp/443/https")]
    public void Canonical_text_round_trips_through_binary(string text)
    {
        var address = Multiaddr.Parse(text);
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, Multiaddr.FromBytes(address.ToBytes()));
        Assert.True(Multiaddr.TryParse(text, out Multiaddr? again));
        Assert.Equal(address.GetHashCode(), again.GetHashCode());
    }

    [Theory]
    [InlineData("/ip6/2001:0db8:0000:0000:0000:0000:0000:0001", "/ip6/2001:db8::1")]
    [InlineData("/ip6/0:0:0:0:0:0:0:1/tcp/1", "/ip6/::1/tcp/1")]
    [InlineData("/ip6/FE80::ABCD", "/ip6/fe80::abcd")]
    [InlineData("/ip6/::ffff:127.0.0.1/tcp/111", "/ip6/::ffff:127.0.0.1/tcp/111")]
    [InlineData("/ip6/2001:db8:0:0:1:0:0:1", "/ip6/2001:db8::1:0:0:1")]
    [InlineData("/ip4/127.0.0.1/tcp/1234/", "/ip4/127.0.0.1/tcp/1234")]
    [InlineData("/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")]
    [InlineData("/tcp/00080", "/tcp/80")]
    public void Equivalent_text_prints_in_canonical_form(string text, string canonical) =>
        Assert.Equal(canonical, Multiaddr.Parse(text).ToString());

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/", "no components")]
    [InlineData("ip4/1.2.3.4", "must begin with '/'")]
    [InlineData("/ip4", "needs a value")]
    [InlineData("/ip4/::1", "IPv4")]
    [InlineData("/ip4/fdpsofodsajfdoisa", "IPv4")]
    [InlineData("/ip4/1.2.3", "IPv4")]
    [InlineData("/ip4/1.2.3.4.5", "IPv4")]
    [InlineData("/ip4/256.0.0.1", "IPv4")]
    [InlineData("/ip4/01.2.3.4", "IPv4")]
    [InlineData("/ip4/127.1", "IPv4")]
    [InlineData("/ip4/::/ipcidr/256", "IPv4")]
    [InlineData("/ip6/::/ipcidr/1026", "0..255")]
    [InlineData("/ip6", "needs a value")]
    [InlineData("/ip6/1.2.3.4", "IPv6")]
    [InlineData("/ip6/fe80::1%eth0", "IPv6")]
    [InlineData("/ip6/[::1]", "IPv6")]
    [InlineData("/ip6/1:2:3:4:5:6:7:8:9", "IPv6")]
    [InlineData("/ip6zone", "needs a value")]
    [InlineData("/ip6zone//ip6/fe80::1", "needs a value")]
    [InlineData("/udp", "needs a value")]
    [InlineData("/tcp", "needs a value")]
    [InlineData("/sctp", "needs a value")]
    [InlineData("/udp/65536", "0..65535")]
    [InlineData("/tcp/65536", "0..65535")]
    [InlineData("/tcp/-1", "0..65535")]
    [InlineData("/tcp/+80", "0..65535")]
    [InlineData("/tcp/ 80", "0..65535")]
    [InlineData("/quic/65536", "unknown multiaddr protocol '65536'")]
    [InlineData("/quic-v1/65536", "unknown multiaddr protocol '65536'")]
    [InlineData("/udp/1234/sctp", "needs a value")]
    [InlineData("/udp/1234/udt/1234", "unknown multiaddr protocol '1234'")]
    [InlineData("/ip4/127.0.0.1/udp/jfodsajfidosajfoidsa", "0..65535")]
    [InlineData("/ip4/127.0.0.1/tcp", "needs a value")]
    [InlineData("/ip4/127.0.0.1/quic/1234", "unknown multiaddr protocol '1234'")]
    [InlineData("/ip4/127.0.0.1/ipfs", "needs a value")]
    [InlineData("/ip4/127.0.0.1/p2p/tcp", "peer id 'tcp'")]
    [InlineData("/unix", "needs a value")]
    [InlineData("/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash", "needs a value")]
    [InlineData("/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmp", "multibase")]
    [InlineData("/ip4/127.0.0.1/tcp/9090/http/p2p-webcrt-direct", "unknown multiaddr protocol 'p2p-webcrt-direct'")]
    [InlineData("/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:80", "unknown multiaddr protocol 'onion3'")]
    [InlineData("////ip4/1.2.3.4", "empty protocol name")]
    [InlineData("/ip4/1.2.3.4//tcp/1", "empty protocol name")]
    [InlineData("/p2p/QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY", "multihash")]
    public void Malformed_text_is_rejected_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(Multiaddr.TryParse(text, out _));
    }

    [Fact]
    public void Dns_name_longer_than_255_bytes_is_rejected()
    {
        string name = string.Join('.', Enumerable.Repeat(new string('a', 63), 5));
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse($"/dns4/{name}/tcp/1"));
        Assert.Contains("255", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_longer_than_the_cap_is_rejected_before_parsing()
    {
        string text = string.Concat(Enumerable.Repeat("/tcp/1", Multiaddr.MaxTextLength / 6 + 1));
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse(text));
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_form_longer_than_the_cap_is_rejected_when_parsing_text()
    {
        // 400 × /tcp/1: 2400 characters of text (under its cap) but 1200 bytes of binary.
        string text = string.Concat(Enumerable.Repeat("/tcp/1", 400));
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.Parse(text));
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_text_is_not_a_multiaddr() => Assert.False(Multiaddr.TryParse(null, out _));

    [Fact]
    public void Encapsulate_appends_the_other_address()
    {
        var tcp = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234");
        var result = tcp.Encapsulate(Multiaddr.Parse("/tls/ws"));
        Assert.Equal("/ip4/127.0.0.1/tcp/1234/tls/ws", result.ToString());
        Assert.Equal(4, result.Components.Count);
    }

    [Fact]
    public void FromComponents_rebuilds_an_address_and_checks_values()
    {
        var address = Multiaddr.Parse("/dns4/example.com/tcp/443/wss");
        Assert.Equal(address, Multiaddr.FromComponents(address.Components));
        Assert.Throws<MultiaddrFormatException>(() =>
            Multiaddr.FromComponents([new MultiaddrComponent(MultiaddrProtocol.Ip4, new byte[3])]));
    }

    [Fact]
    public void Equality_is_by_value_and_distinguishes_protocols()
    {
        Assert.True(Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234") == Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234/"));
        Assert.True(Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234") != Multiaddr.Parse("/ip4/127.0.0.1/udp/1234"));
        Assert.False(Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234").Equals(null));
    }
}
