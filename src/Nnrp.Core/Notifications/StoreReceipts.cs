using System.Buffers.Binary;
using Google.Protobuf;
using NSec.Cryptography;

namespace Nnrp.Core.Notifications;

/// <summary>
/// Store receipts (NNRP.md §11.6): a node's Ed25519 signature over
/// <c>"nnrp/receipt/1" ‖ hash (32) ‖ expires_at:u64 BE</c>, so a sender can prove which
/// nodes accepted its notification.
/// </summary>
public static class StoreReceipts
{
    /// <summary>Domain separator of the signed bytes.</summary>
    public static ReadOnlySpan<byte> Domain => "nnrp/receipt/1"u8;

    /// <summary>The bytes a receipt signs (54).</summary>
    public static byte[] SignedBytes(NotificationHash hash, ulong expiresAt)
    {
        var bytes = new byte[Domain.Length + NotificationHash.Size + 8];
        Domain.CopyTo(bytes);
        hash.CopyTo(bytes.AsSpan(Domain.Length));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(Domain.Length + NotificationHash.Size), expiresAt);
        return bytes;
    }

    /// <summary>Signs a receipt with the node's Ed25519 key.</summary>
    public static Protocol.StoreReceipt Sign(Key nodeKey, NotificationHash hash, ulong expiresAt)
    {
        ArgumentNullException.ThrowIfNull(nodeKey);
        byte[] signature = SignatureAlgorithm.Ed25519.Sign(nodeKey, SignedBytes(hash, expiresAt));
        return new Protocol.StoreReceipt
        {
            Hash = ByteString.CopyFrom(hash.ToArray()),
            ExpiresAt = expiresAt,
            NodePublicKey = ByteString.CopyFrom(nodeKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            Signature = ByteString.CopyFrom(signature),
        };
    }

    /// <summary>True when the receipt's signature is valid for its node key, hash and expiry.</summary>
    public static bool Verify(Protocol.StoreReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Hash.Length != NotificationHash.Size || receipt.NodePublicKey.Length != 32 || receipt.Signature.Length != 64)
        {
            return false;
        }
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, receipt.NodePublicKey.Span, KeyBlobFormat.RawPublicKey, out PublicKey? key) || key is null)
        {
            return false;
        }
        byte[] signed = SignedBytes(NotificationHash.FromBytes(receipt.Hash.Span), receipt.ExpiresAt);
        return SignatureAlgorithm.Ed25519.Verify(key, signed, receipt.Signature.Span);
    }
}
