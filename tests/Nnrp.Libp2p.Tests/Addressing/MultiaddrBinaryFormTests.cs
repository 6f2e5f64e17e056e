using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Tests.Addressing;

/// <summary>The binary form: <c>(uvarint code, value)+</c>, every byte accounted for and checked.</summary>
public class MultiaddrBinaryFormTests
{
    [Theory]
    [InlineData("", "empty multiaddr")]
    [InlineData("ff01", "unknown multiaddr protocol code 255 (0xff)")]
    [InlineData("047f000001e707", "unknown multiaddr protocol code 999 (0x3e7)")]
    [InlineData("80", "truncated varint")]
    [InlineData("8080808080808080808001", "varint longer than 9 bytes")]
    [InlineData("8400", "not minimally encoded")]
    [InlineData("047f0000", "/ip4 value needs 4 bytes but only 3 remain")]
    [InlineData("0604", "/tcp value needs 2 bytes but only 1 remain")]
    [InlineData("29000000", "/ip6 value needs 16 bytes")]
    [InlineData("3605616263", "/dns4 value declares 5 bytes but only 3 remain")]
    [InlineData("36", "/dns4 value length: truncated varint")]
    [InlineData("3600", "/dns4 value must be 1..255 bytes")]
    [InlineData("3603612f62", "contains '/'")]
    [InlineData("3602c328", "not valid UTF-8")]
    [InlineData("a503221221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6", "/p2p")] // go TestInvalidP2PAddrBytes
    [InlineData("a5030412031234", "declares a 3-byte digest but holds 2")]
    [InlineData("a5030413021234", "identity or a 32-byte sha2-256")]
    [InlineData("a50300", "empty multihash")]
    [InlineData("900300", "/unix path must start with '/'")]
    [InlineData("9003022f61dd03", "component after the path of /unix")]
    [InlineData("900302612f", "/unix path must start with '/'")]
    public void Malformed_bytes_are_rejected_with_the_reason(string hex, string reason)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(Multiaddr.TryFromBytes(bytes, out _));
    }

    [Fact]
    public void Bytes_longer_than_the_cap_are_rejected()
    {
        byte[] bytes = new byte[Multiaddr.MaxBinaryLength + 5];
        for (int i = 0; i + 5 <= bytes.Length; i += 5)
        {
            bytes[i] = 4; // /ip4/0.0.0.0 repeated
        }
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
        Assert.Contains($"limit of {Multiaddr.MaxBinaryLength} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoded_address_does_not_alias_the_caller_buffer()
    {
        byte[] bytes = Convert.FromHexString("047f0000010604d2");
        var address = Multiaddr.FromBytes(bytes);
        bytes[1] = 10;
        Assert.Equal("/ip4/127.0.0.1/tcp/1234", address.ToString());
        byte[] copy = address.ToBytes();
        copy[1] = 10;
        Assert.Equal("/ip4/127.0.0.1/tcp/1234", address.ToString());
    }

    [Fact]
    public void Every_zero_size_protocol_round_trips_in_binary()
    {
        foreach (MultiaddrProtocol protocol in new[]
                 {
                     MultiaddrProtocol.P2pCircuit, MultiaddrProtocol.QuicV1, MultiaddrProtocol.Quic, MultiaddrProtocol.Tls,
                     MultiaddrProtocol.Noise, MultiaddrProtocol.Ws, MultiaddrProtocol.Wss, MultiaddrProtocol.Http,
                     MultiaddrProtocol.Https, MultiaddrProtocol.WebTransport, MultiaddrProtocol.WebRtc,
                     MultiaddrProtocol.WebRtcDirect, MultiaddrProtocol.Udt, MultiaddrProtocol.Utp,
                 })
        {
            var address = Multiaddr.FromComponents([new MultiaddrComponent(protocol, ReadOnlyMemory<byte>.Empty)]);
            Assert.Equal(address, Multiaddr.Parse(address.ToString()));
            Assert.Equal(string.Empty, address.Components[0].ValueString);
        }
    }
}
