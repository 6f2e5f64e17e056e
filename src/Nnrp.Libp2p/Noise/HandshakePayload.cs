using Google.Protobuf;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise.Protobuf;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// noise-libp2p "Static Key Authentication" and "The libp2p Handshake Payload": each side
/// sends its identity public key and a signature by it over
/// <c>"noise-libp2p-static-key:" ‖ static X25519 public key</c>; the receiver checks that
/// signature against the static key the Noise handshake actually delivered.
/// </summary>
internal static class HandshakePayload
{
    public static ReadOnlySpan<byte> SignaturePrefix => "noise-libp2p-static-key:"u8;

    public static byte[] Create(KeyPair identity, ReadOnlySpan<byte> staticPublicKey)
    {
        byte[] signature = identity.Sign(SignedBytes(staticPublicKey));
        var payload = new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
            IdentitySig = ByteString.CopyFrom(signature),
        };
        return payload.ToByteArray();
    }

    /// <summary>Decodes the peer's payload and returns its identity key once the signature holds.</summary>
    public static PublicKey Verify(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> remoteStaticPublicKey)
    {
        NoiseHandshakePayload message;
        try
        {
            message = NoiseHandshakePayload.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NoiseHandshakeException($"handshake payload is not a valid NoiseHandshakePayload: {e.Message}", e);
        }
        if (!message.HasIdentityKey || !message.HasIdentitySig)
        {
            throw new NoiseHandshakeException("handshake payload lacks identity_key or identity_sig");
        }
        PublicKey key;
        try
        {
            key = PublicKey.FromProtobuf(message.IdentityKey.Span);
        }
        catch (ProtocolViolationException e)
        {
            throw new NoiseHandshakeException($"handshake identity key refused: {e.Message}", e);
        }
        if (!key.Verify(SignedBytes(remoteStaticPublicKey), message.IdentitySig.Span))
        {
            throw new NoiseHandshakeException("identity_sig does not sign the peer's Noise static key");
        }
        return key;
    }

    private static byte[] SignedBytes(ReadOnlySpan<byte> staticPublicKey) => [.. SignaturePrefix, .. staticPublicKey];
}
