using Google.Protobuf;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Noise.Protobuf;

namespace Nnrp.Libp2p.Tests.Noise;

/// <summary>noise/README.md "The libp2p Handshake Payload" and "Static Key Authentication".</summary>
public class HandshakePayloadTests
{
    private static readonly byte[] StaticKey = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void Payload_signs_the_prefixed_static_key_with_the_identity_key()
    {
        using var identity = KeyPair.Generate();
        var message = NoiseHandshakePayload.Parser.ParseFrom(HandshakePayload.Create(identity, StaticKey));
        Assert.Equal(identity.PublicKey.ToProtobuf(), message.IdentityKey.ToByteArray());
        byte[] signed = [.. "noise-libp2p-static-key:"u8, .. StaticKey];
        Assert.True(identity.PublicKey.Verify(signed, message.IdentitySig.Span));
        Assert.Null(message.Extensions);
        Assert.Equal(identity.PublicKey, HandshakePayload.Verify(message.ToByteArray(), StaticKey));
    }

    [Fact]
    public void Payload_with_extensions_from_another_implementation_is_accepted()
    {
        using var identity = KeyPair.Generate();
        var message = NoiseHandshakePayload.Parser.ParseFrom(HandshakePayload.Create(identity, StaticKey));
        message.Extensions = new NoiseExtensions { StreamMuxers = { "/yamux/1.0.0" } };
        Assert.Equal(identity.PublicKey, HandshakePayload.Verify(message.ToByteArray(), StaticKey));
    }

    [Fact]
    public void Payload_with_an_unsupported_identity_key_type_is_a_handshake_error()
    {
        var message = new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(Identity.SpecVectors.EcdsaPublicKey),
            IdentitySig = ByteString.CopyFrom(new byte[70]),
        };
        var error = Assert.Throws<NoiseHandshakeException>(() => HandshakePayload.Verify(message.ToByteArray(), StaticKey));
        Assert.IsType<UnsupportedKeyTypeException>(error.InnerException);
    }

    [Fact]
    public void Random_and_truncated_payloads_fail_only_with_handshake_errors()
    {
        using var identity = KeyPair.Generate();
        byte[] valid = HandshakePayload.Create(identity, StaticKey);
        var random = new Random(21);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = valid[..random.Next(0, valid.Length)];
            }
            Assert.Throws<NoiseHandshakeException>(() => HandshakePayload.Verify(bytes, StaticKey));
        }
    }
}
