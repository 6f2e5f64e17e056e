using Google.Protobuf;
using NSec.Cryptography;
using NSecPublicKey = NSec.Cryptography.PublicKey;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Identity;
using ReceiptMessage = Nnrp.Core.Protocol.StoreReceipt;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>receipts.json (NNRP.md §11.6): the signed bytes, the Ed25519 signature and its check.</summary>
public sealed class ReceiptVectorTests
{
    private static readonly IReadOnlyList<Vector> All = VectorFile.Load("receipts").Vectors();

    [Fact]
    public void The_node_seed_gives_the_published_raw_key_and_peer_id()
    {
        foreach (Vector v in All)
        {
            KeyPair node = KeyPair.FromSeed(v.Bytes("node_seed"));
            Expect.Hex(v, "node_public_key", node.PublicKey.Raw.Span);
            Expect.Equal(v.Text("peer_id"), PeerId.FromPublicKey(node.PublicKey).ToString(), v, "peer_id");
        }
    }

    [Fact]
    public void A_receipt_signs_domain_hash_and_expiry_with_the_published_signature()
    {
        foreach (Vector v in All.Where(v => v.Flag("valid")))
        {
            byte[] signed = StoreReceipts.SignedBytes(NotificationHash.FromBytes(v.Bytes("hash")), v.Number("expires_at"));
            Expect.Hex(v, "signed_bytes", signed);
            Expect.Equal(StoreReceipts.SignedSize, signed.Length, v, "signed length");
            // Ed25519 is deterministic (RFC 8032), so the node's signer must give these exact bytes.
            Expect.Hex(v, "signature", KeyPair.FromSeed(v.Bytes("node_seed")).Sign(signed));
        }
    }

    [Fact]
    public void Verification_accepts_the_valid_receipts_and_refuses_the_others()
    {
        foreach (Vector v in All)
        {
            var receipt = new ReceiptMessage
            {
                Hash = ByteString.CopyFrom(v.Bytes("hash")),
                ExpiresAt = v.Number("expires_at"),
                NodePublicKey = ByteString.CopyFrom(v.Bytes("node_public_key")),
                Signature = ByteString.CopyFrom(v.Bytes("signature")),
            };
            Expect.Equal(v.Flag("valid"), StoreReceipts.Verify(receipt), v, "valid");
            Expect.Equal(v.Flag("valid"), SignatureAlgorithm.Ed25519.Verify(
                NSecPublicKey.Import(SignatureAlgorithm.Ed25519, v.Bytes("node_public_key"), KeyBlobFormat.RawPublicKey),
                StoreReceipts.SignedBytes(NotificationHash.FromBytes(v.Bytes("hash")), v.Number("expires_at")),
                v.Bytes("signature")), v, "valid (NSec)");
        }
    }
}
