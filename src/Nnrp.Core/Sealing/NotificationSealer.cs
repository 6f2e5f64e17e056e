using System.Buffers.Binary;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Core.Sealing;

/// <summary>
/// Seals and opens notification payloads (NNRP.md §7):
/// <code>
///   info    = "nnrp/1 payment-event"
///   aad     = recipient_tag (32) ‖ timestamp:u64 BE ‖ ttl:u32 BE
///   payload = enc (32) ‖ ChaCha20-Poly1305 ciphertext ‖ tag (16)     (HPKE base mode, seq 0)
/// </code>
/// Binding the tag, timestamp and ttl into the AEAD means a relay cannot re-address,
/// back-date or extend a notification without the payload failing to open.
/// </summary>
public static class NotificationSealer
{
    /// <summary>HPKE info string.</summary>
    public static ReadOnlySpan<byte> Info => "nnrp/1 payment-event"u8;

    /// <summary>Plaintext bytes that fit: 2048 − 32 − 16.</summary>
    public const int MaxPlaintext = NotificationLimits.MaxPayload - Hpke.EncSize - Hpke.TagSize;

    /// <summary>Seals <paramref name="plaintext"/> to <paramref name="recipientPublicKey"/> for a notification with these fields.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, RecipientTag tag, ulong timestamp, uint ttl, ReadOnlySpan<byte> plaintext) =>
        Seal(recipientPublicKey, tag, timestamp, ttl, plaintext, ephemeralPrivateKey: []);

    /// <summary>
    /// Seals with a caller-chosen ephemeral X25519 private key, or a fresh random one when
    /// <paramref name="ephemeralPrivateKey"/> is empty. A fixed key is only for the published
    /// vectors (protocols/vectors/sealing.json, NNRP.md §16); a sender MUST use a fresh key.
    /// </summary>
    internal static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, RecipientTag tag, ulong timestamp, uint ttl, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> ephemeralPrivateKey)
    {
        if (plaintext.Length > MaxPlaintext)
        {
            throw new NotificationRuleException(NotificationRule.PayloadSize, $"plaintext must be at most {MaxPlaintext} bytes to fit a payload");
        }
        Span<byte> aad = stackalloc byte[44];
        WriteAad(tag, timestamp, ttl, aad);
        byte[] enc;
        using HpkeContext context = ephemeralPrivateKey.IsEmpty
            ? Hpke.SetupBaseS(recipientPublicKey, Info, out enc)
            : Hpke.SetupBaseS(recipientPublicKey, Info, ephemeralPrivateKey, out enc);
        var payload = new byte[Hpke.EncSize + plaintext.Length + Hpke.TagSize];
        enc.CopyTo(payload, 0);
        context.Seal(aad, plaintext, payload.AsSpan(Hpke.EncSize));
        return payload;
    }

    /// <summary>A complete notification (work 0, to be filled by the generator) carrying <paramref name="paymentEvent"/>.</summary>
    public static Notification SealPaymentEvent(ReadOnlySpan<byte> recipientPublicKey, PaymentEvent paymentEvent, ulong timestamp, uint ttl = NotificationLimits.DefaultTtl)
    {
        ArgumentNullException.ThrowIfNull(paymentEvent);
        RecipientTag tag = RecipientTag.FromNotificationKey(recipientPublicKey);
        byte[] payload = Seal(recipientPublicKey, tag, timestamp, ttl, paymentEvent.ToJson());
        return new Notification(NotificationLimits.Version, tag, timestamp, ttl, payload, 0);
    }

    /// <summary>Opens a notification's payload with the recipient's private key.</summary>
    /// <exception cref="SealingException">not for this key, or tampered.</exception>
    public static byte[] Open(ReadOnlySpan<byte> recipientPrivateKey, Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ReadOnlySpan<byte> payload = notification.Payload.Span;
        if (payload.Length < Hpke.EncSize + Hpke.TagSize)
        {
            throw new SealingException($"a sealed payload is at least {Hpke.EncSize + Hpke.TagSize} bytes");
        }
        Span<byte> aad = stackalloc byte[44];
        WriteAad(notification.RecipientTag, notification.Timestamp, notification.Ttl, aad);
        using HpkeContext context = Hpke.SetupBaseR(payload[..Hpke.EncSize], recipientPrivateKey, Info);
        return context.Open(aad, payload[Hpke.EncSize..]);
    }

    /// <summary>Opens and parses the payment event of a notification.</summary>
    public static PaymentEvent OpenPaymentEvent(ReadOnlySpan<byte> recipientPrivateKey, Notification notification) =>
        PaymentEvent.Parse(Open(recipientPrivateKey, notification));

    private static void WriteAad(RecipientTag tag, ulong timestamp, uint ttl, Span<byte> aad)
    {
        tag.CopyTo(aad);
        BinaryPrimitives.WriteUInt64BigEndian(aad[32..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(aad[40..], ttl);
    }
}
