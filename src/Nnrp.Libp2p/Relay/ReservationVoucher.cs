using System.Buffers;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay.Protobuf;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// A reservation voucher (libp2p/specs relay/circuit-v2.md "Reservation Vouchers"): the relay's
/// promise to serve <see cref="Peer"/> until <see cref="Expiration"/>, as a signed envelope
/// (RFC/0002-signed-envelopes.md) in domain <c>libp2p-relay-rsvp</c>.
/// </summary>
/// <remarks>
/// Payload type: the spec names multicodec 0x0302; go-libp2p (<c>RecordCodec</c>) and js-libp2p
/// (<c>ReservationVoucherRecord.codec</c>) both write it as the two bytes <c>03 02</c>, not as a
/// uvarint, and so do we, so that their vouchers verify here and ours there.
/// </remarks>
public sealed record ReservationVoucher(PeerId Relay, PeerId Peer, ulong Expiration)
{
    public const string Domain = "libp2p-relay-rsvp";

    /// <summary>Vouchers larger than this are not read (an Ed25519 one is about 200 bytes).</summary>
    public const int MaxEnvelopeSize = 2048;

    public static ReadOnlySpan<byte> PayloadType => [0x03, 0x02];

    /// <summary>The canonical payload: relay, peer, expiration in field order, nothing else.</summary>
    public byte[] ToPayload() => new Voucher
    {
        Relay = ByteString.CopyFrom(Relay.Bytes.Span),
        Peer = ByteString.CopyFrom(Peer.Bytes.Span),
        Expiration = Expiration,
    }.ToByteArray();

    /// <summary>Seals the voucher with the relay's key into envelope bytes.</summary>
    public byte[] Seal(KeyPair relayKey)
    {
        ArgumentNullException.ThrowIfNull(relayKey);
        if (!relayKey.PeerId.Equals(Relay))
        {
            throw new ArgumentException("a voucher is signed by the relay it names", nameof(relayKey));
        }
        byte[] payload = ToPayload();
        return new Envelope
        {
            PublicKey = ByteString.CopyFrom(relayKey.PublicKey.ToProtobuf()),
            PayloadType = ByteString.CopyFrom(PayloadType),
            Payload = ByteString.CopyFrom(payload),
            Signature = ByteString.CopyFrom(relayKey.Sign(SignedBytes(PayloadType, payload))),
        }.ToByteArray();
    }

    /// <summary>
    /// Opens envelope bytes: the payload type must be a voucher's, the signature must verify
    /// with the envelope's key, and the voucher's relay must be that key's peer id.
    /// </summary>
    /// <exception cref="RelayProtocolException">any of these fails.</exception>
    public static ReservationVoucher Open(ReadOnlySpan<byte> envelopeBytes)
    {
        if (envelopeBytes.Length > MaxEnvelopeSize)
        {
            throw new RelayProtocolException($"voucher of {envelopeBytes.Length} bytes exceeds {MaxEnvelopeSize}");
        }
        try
        {
            Envelope envelope = Envelope.Parser.ParseFrom(envelopeBytes);
            if (!envelope.PayloadType.Span.SequenceEqual(PayloadType))
            {
                throw new RelayProtocolException($"envelope payload type {Convert.ToHexString(envelope.PayloadType.Span)} is not a relay voucher (0302)");
            }
            PublicKey key = PublicKey.FromProtobuf(envelope.PublicKey.Span);
            if (!key.Verify(SignedBytes(envelope.PayloadType.Span, envelope.Payload.Span), envelope.Signature.Span))
            {
                throw new RelayProtocolException("voucher signature does not verify");
            }
            Voucher voucher = Voucher.Parser.ParseFrom(envelope.Payload);
            var relay = PeerId.FromBytes(voucher.Relay.Span);
            if (!relay.Equals(PeerId.FromPublicKey(key)))
            {
                throw new RelayProtocolException("voucher names a relay other than its signer");
            }
            return new ReservationVoucher(relay, PeerId.FromBytes(voucher.Peer.Span), voucher.Expiration);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or FormatException or (ProtocolViolationException and not RelayProtocolException))
        {
            throw new RelayProtocolException("malformed voucher: " + ex.Message, ex);
        }
    }

    /// <summary>RFC 0002 "Signature Production": uvarint-prefixed domain, payload type and payload.</summary>
    private static byte[] SignedBytes(ReadOnlySpan<byte> payloadType, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> domain = "libp2p-relay-rsvp"u8;
        var writer = new ArrayBufferWriter<byte>(domain.Length + payloadType.Length + payload.Length + 12);
        Varint.Write(writer, (ulong)domain.Length);
        writer.Write(domain);
        Varint.Write(writer, (ulong)payloadType.Length);
        writer.Write(payloadType);
        Varint.Write(writer, (ulong)payload.Length);
        writer.Write(payload);
        return writer.WrittenSpan.ToArray();
    }
}
