using NSec.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;
using Nnrp.Core.Work;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>sealing.json (NNRP.md §7): a payment event sealed with a fixed ephemeral key, then hashed and worked.</summary>
public sealed class SealingVectorTests
{
    private static readonly IReadOnlyList<Vector> All = VectorFile.Load("sealing").Vectors();

    [Fact]
    public void Sealing_with_the_fixed_ephemeral_key_gives_the_published_payload()
    {
        foreach (Vector v in All)
        {
            NotificationKeyPair pair = NotificationKeys.Derive(v.Bytes("seed"), (uint)v.Number("index"));
            Expect.Hex(v, "recipient_private_key", pair.PrivateKey);
            Expect.Hex(v, "recipient_public_key", pair.PublicKey);
            Expect.Hex(v, "recipient_tag", pair.Tag.ToArray());
            Expect.Hex(v, "info", NotificationSealer.Info);
            byte[] payload = NotificationSealer.Seal(pair.PublicKey, pair.Tag, v.Number("timestamp"), (uint)v.Number("ttl"),
                v.Bytes("plaintext"), v.Bytes("ephemeral_private_key"));
            Expect.Hex(v, "payload", payload);
            Expect.Hex(v, "enc", payload.AsSpan(0, Hpke.EncSize));
            Expect.Hex(v, "ciphertext", payload.AsSpan(Hpke.EncSize));
        }
    }

    [Fact]
    public void The_hpke_key_schedule_gives_the_published_intermediate_values()
    {
        foreach (Vector v in All)
        {
            using HpkeContext context = Hpke.SetupBaseS(v.Bytes("recipient_public_key"), v.Bytes("info"), v.Bytes("ephemeral_private_key"), out byte[] enc);
            Expect.Hex(v, "enc", enc);
            Expect.Hex(v, "key", context.AeadKey);
            Expect.Hex(v, "base_nonce", context.BaseNonce);
            byte[] kemContext = [.. enc, .. v.Bytes("recipient_public_key")];
            byte[] sharedSecret = new byte[32];
            Hpke.ExtractAndExpand(X25519(v.Bytes("ephemeral_private_key"), v.Bytes("recipient_public_key")), kemContext, sharedSecret);
            Expect.Hex(v, "shared_secret", sharedSecret);
            using HpkeContext receiver = Hpke.SetupBaseR(enc, v.Bytes("recipient_private_key"), v.Bytes("info"));
            Expect.Hex(v, "key", receiver.AeadKey);
            Expect.Hex(v, "plaintext", receiver.Open(v.Bytes("aad"), v.Bytes("ciphertext")));
        }
    }

    [Fact]
    public void The_aad_is_tag_timestamp_and_ttl()
    {
        foreach (Vector v in All)
        {
            byte[] aad = new byte[44];
            v.Bytes("recipient_tag").CopyTo(aad, 0);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(aad.AsSpan(32), v.Number("timestamp"));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(40), (uint)v.Number("ttl"));
            Expect.Hex(v, "aad", aad);
        }
    }

    [Fact]
    public void The_recipient_opens_the_published_notification_and_reads_the_event()
    {
        foreach (Vector v in All)
        {
            var notification = new Notification(NotificationLimits.Version, RecipientTag.FromBytes(v.Bytes("recipient_tag")),
                v.Number("timestamp"), (uint)v.Number("ttl"), v.Bytes("payload"), v.U64Hex("work"));
            Expect.Hex(v, "hash", notification.Hash.ToArray());
            Expect.Equal(v.Text("relay_address"), notification.Hash.ToRelayAddress(), v, "relay_address");
            Expect.Hex(v, "protobuf", NotificationProtobuf.Encode(notification));
            Expect.Equal(v.Text("json"), NotificationJson.Serialize(notification), v, "json");
            byte[] plaintext = NotificationSealer.Open(v.Bytes("recipient_private_key"), notification);
            Expect.Hex(v, "plaintext", plaintext);
            Expect.Equal(v.Text("plaintext_text"), System.Text.Encoding.UTF8.GetString(plaintext), v, "plaintext_text");
            // The C# SDK writes the same bytes for the same event (field order, compact JSON).
            PaymentEvent paymentEvent = PaymentEvent.Parse(plaintext);
            Expect.Hex(v, "plaintext", paymentEvent.ToJson());
        }
    }

    [Fact]
    public void The_published_work_is_the_least_that_meets_the_test_threshold()
    {
        foreach (Vector v in All)
        {
            byte[] hash = v.Bytes("hash");
            ulong threshold = v.U64Hex("threshold");
            ulong work = v.U64Hex("work");
            Expect.Equal(v.U64Hex("work_value"), ProofOfWork.Value(hash, work), v, "work_value");
            Assert.True(ProofOfWork.IsValid(hash, work, threshold), v.Description);
            for (ulong w = 0; w < work; w++)
            {
                Assert.False(ProofOfWork.IsValid(hash, w, threshold), $"{v.Description}: {w:x16} already meets the threshold");
            }
        }
    }

    private static byte[] X25519(byte[] privateKey, byte[] publicKey)
    {
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        var peer = PublicKey.Import(KeyAgreementAlgorithm.X25519, publicKey, KeyBlobFormat.RawPublicKey);
        using SharedSecret shared = KeyAgreementAlgorithm.X25519.Agree(key, peer,
            new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
        return shared.Export(SharedSecretBlobFormat.RawSharedSecret);
    }
}
