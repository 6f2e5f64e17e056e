using Google.Protobuf;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Node.Decisions;

/// <summary>
/// Signs the node's store receipts (NNRP.md §11.6): the Ed25519 signature of the node's
/// identity key over <c>"nnrp/receipt/1" ‖ hash ‖ expires_at:u64 BE</c>. The one signer of the
/// node; every door hands out the receipt the façade put in its <see cref="Decision"/>.
/// </summary>
public sealed class ReceiptSigner
{
    private readonly KeyPair _identity;
    private readonly ByteString _publicKey;

    public ReceiptSigner(KeyPair identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _identity = identity;
        _publicKey = ByteString.CopyFrom(identity.PublicKey.Raw.Span);
    }

    /// <summary>
    /// The receipt for <paramref name="hash"/>: every stored publish signs one, so it allocates
    /// only the hash, the signature and the message (the signed 54 bytes live on the stack, the
    /// key is shared).
    /// </summary>
    public StoreReceipt Sign(NotificationHash hash, ulong expiresAt)
    {
        Span<byte> signed = stackalloc byte[StoreReceipts.SignedSize];
        StoreReceipts.WriteSignedBytes(signed, hash, expiresAt);
        return new StoreReceipt
        {
            // Fresh arrays never touched again, so the message may own them.
            Hash = UnsafeByteOperations.UnsafeWrap(hash.ToArray()),
            ExpiresAt = expiresAt,
            NodePublicKey = _publicKey,
            Signature = UnsafeByteOperations.UnsafeWrap(_identity.Sign(signed)),
        };
    }
}
