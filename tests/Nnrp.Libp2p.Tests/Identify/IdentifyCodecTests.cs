using System.Buffers;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Identify;

/// <summary>identify answers are claims by a stranger: each field is checked and bounded.</summary>
public class IdentifyCodecTests
{
    [Fact]
    public void A_built_message_round_trips_through_parse_and_validate()
    {
        using var key = KeyPair.Generate();
        var listen = Multiaddr.Parse("/ip4/192.0.2.1/tcp/7090");
        var observed = Multiaddr.Parse("/ip4/198.51.100.7/tcp/51000");
        var message = IdentifyCodec.Build(key.PublicKey, ["/b", "/a"], [listen], observed, "nnrp/9.9.9", "ipfs/0.1.0");

        IdentifyResult result = IdentifyCodec.Validate(IdentifyCodec.Parse(new ReadOnlySequence<byte>(message.ToByteArray())), key.PeerId);

        Assert.Equal(["/a", "/b"], result.Protocols);
        Assert.Equal([listen], result.ListenAddresses);
        Assert.Equal(observed, result.ObservedAddress);
        Assert.Equal("nnrp/9.9.9", result.AgentVersion);
    }

    [Fact]
    public void A_public_key_of_another_peer_is_refused()
    {
        using var claimed = KeyPair.Generate();
        using var actual = KeyPair.Generate();
        var message = IdentifyCodec.Build(claimed.PublicKey, [], [], null, "x", "y");

        var ex = Assert.Throws<IdentifyException>(() => IdentifyCodec.Validate(message, actual.PeerId));
        Assert.Contains("does not belong", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_protocols_are_refused_and_bad_addresses_dropped()
    {
        using var key = KeyPair.Generate();
        var message = IdentifyCodec.Build(key.PublicKey, Enumerable.Range(0, IdentifyCodec.MaxProtocols + 1).Select(i => "/p/" + i), [], null, "x", "y");
        Assert.Throws<IdentifyException>(() => IdentifyCodec.Validate(message, key.PeerId));

        var withGarbage = IdentifyCodec.Build(key.PublicKey, ["/ok"], [], null, "x", "y");
        withGarbage.ListenAddrs.Add(ByteString.CopyFrom(0xff, 0xff, 0xff));
        withGarbage.ListenAddrs.Add(ByteString.CopyFrom(Multiaddr.Parse("/ip6/::1/tcp/1").ToBytes()));
        IdentifyResult result = IdentifyCodec.Validate(withGarbage, key.PeerId);
        Assert.Equal([Multiaddr.Parse("/ip6/::1/tcp/1")], result.ListenAddresses);
    }

    [Fact]
    public void Random_bytes_give_an_identify_error_or_a_harmless_message_never_a_crash()
    {
        using var key = KeyPair.Generate();
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            try
            {
                var message = IdentifyCodec.Parse(new ReadOnlySequence<byte>(bytes));
                IdentifyCodec.Validate(message, key.PeerId);
            }
            catch (ProtocolViolationException)
            {
                // IdentifyException, or UnsupportedKeyTypeException from the key decoder: both typed.
            }
        }
    }
}
