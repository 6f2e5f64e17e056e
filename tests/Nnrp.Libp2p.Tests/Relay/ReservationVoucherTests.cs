using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>circuit-v2.md "Reservation Vouchers": a signed envelope in domain libp2p-relay-rsvp, payload type 0x0302.</summary>
public class ReservationVoucherTests
{
    [Fact]
    public void A_sealed_voucher_opens_to_the_same_relay_peer_and_expiration()
    {
        using var relay = KeyPair.Generate();
        using var peer = KeyPair.Generate();
        var voucher = new ReservationVoucher(relay.PeerId, peer.PeerId, 1_800_000_000);

        ReservationVoucher opened = ReservationVoucher.Open(voucher.Seal(relay));

        Assert.Equal(voucher, opened);
    }

    [Fact]
    public void The_signature_covers_the_domain_the_payload_type_and_the_payload()
    {
        using var relay = KeyPair.Generate();
        using var peer = KeyPair.Generate();
        byte[] envelope = new ReservationVoucher(relay.PeerId, peer.PeerId, 1_800_000_000).Seal(relay);
        var parsed = Nnrp.Libp2p.Relay.Protobuf.Envelope.Parser.ParseFrom(envelope);
        byte[] payload = parsed.Payload.ToByteArray();

        // RFC 0002: varint(len) ‖ domain ‖ varint(len) ‖ payload type ‖ varint(len) ‖ payload, signed by the relay.
        byte[] signed = [(byte)"libp2p-relay-rsvp".Length, .. "libp2p-relay-rsvp"u8, 2, 0x03, 0x02, (byte)payload.Length, .. payload];
        Assert.True(relay.PublicKey.Verify(signed, parsed.Signature.Span));
        Assert.Equal(new byte[] { 0x03, 0x02 }, parsed.PayloadType.ToByteArray());
    }

    [Fact]
    public void A_changed_expiration_or_a_voucher_signed_by_another_key_is_refused()
    {
        using var relay = KeyPair.Generate();
        using var other = KeyPair.Generate();
        using var peer = KeyPair.Generate();
        var parsed = Nnrp.Libp2p.Relay.Protobuf.Envelope.Parser.ParseFrom(new ReservationVoucher(relay.PeerId, peer.PeerId, 100).Seal(relay));
        parsed.Payload = Google.Protobuf.ByteString.CopyFrom(new ReservationVoucher(relay.PeerId, peer.PeerId, 200).ToPayload());
        Assert.Throws<RelayProtocolException>(() => ReservationVoucher.Open(Google.Protobuf.MessageExtensions.ToByteArray(parsed)));

        // Signed correctly, but by a key that is not the relay the voucher names.
        var forged = Nnrp.Libp2p.Relay.Protobuf.Envelope.Parser.ParseFrom(new ReservationVoucher(other.PeerId, peer.PeerId, 100).Seal(other));
        forged.Payload = Google.Protobuf.ByteString.CopyFrom(new ReservationVoucher(relay.PeerId, peer.PeerId, 100).ToPayload());
        Assert.Throws<RelayProtocolException>(() => ReservationVoucher.Open(Google.Protobuf.MessageExtensions.ToByteArray(forged)));
    }

    [Fact]
    public void Random_or_truncated_bytes_give_a_relay_protocol_error_never_a_crash()
    {
        using var relay = KeyPair.Generate();
        using var peer = KeyPair.Generate();
        byte[] good = new ReservationVoucher(relay.PeerId, peer.PeerId, 100).Seal(relay);
        var random = new Random(11);
        for (int i = 0; i < 5_000; i++)
        {
            byte[] bytes = i % 2 == 0 ? good[..random.Next(good.Length)] : new byte[random.Next(0, 400)];
            if (i % 2 == 1)
            {
                random.NextBytes(bytes);
            }
            Assert.Throws<RelayProtocolException>(() => ReservationVoucher.Open(bytes));
        }
        Assert.Throws<RelayProtocolException>(() => ReservationVoucher.Open(new byte[ReservationVoucher.MaxEnvelopeSize + 1]));
    }
}
