using System.Buffers.Binary;
using NSec.Cryptography;

namespace Nnrp.Core.Notifications;

/// <summary>
/// Store receipts (NNRP.md §11.6): a node's Ed25519 signature over
/// <c>"nnrp/receipt/1" ‖ hash (32) ‖ expires_at:u64 BE</c>, so a sender can prove which
/// nodes accepted its notification. The node signs with its identity key (Nnrp.Node's
/// <c>ReceiptSigner</c>); this class holds the signed bytes and the check.
/// </summary>
public static class StoreReceipts
{
    /// <summary>Domain separator of the signed bytes.</summary>
    public static ReadOnlySpan<byte> Domain => "nnrp/receipt/1"u8;

    /// <summary>Length of the bytes a receipt signs: domain (14) ‖ hash (32) ‖ expires_at (8).</summary>
    public static int SignedSize => Domain.Length + NotificationHash.Size + sizeof(ulong);

    /// <summary>The bytes a receipt signs (54).</summary>
    public static byte[] SignedBytes(NotificationHash hash, ulong expiresAt)
    {
        var bytes = new byte[SignedSize];
        WriteSignedBytes(bytes, hash, expiresAt);
        return bytes;
    }

    /// <summary>Writes the <see cref="SignedSize"/> bytes a receipt signs into <paramref name="destination"/> (a signer keeps them on the stack).</summary>
    public static void WriteSignedBytes(Span<byte> destination, NotificationHash hash, ulong expiresAt)
    {
        Domain.CopyTo(destination);
        hash.CopyTo(destination[Domain.Length..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[(Domain.Length + NotificationHash.Size)..], expiresAt);
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
