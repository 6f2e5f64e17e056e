using Nnrp.Core.Notifications;
using StoreReceipt = Nnrp.Core.Protocol.StoreReceipt;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Protocol.Receipts;

/// <summary>
/// Checks a store receipt before a sender counts the node as holding its notification
/// (NNRP.md §11.6): the Ed25519 signature over <c>"nnrp/receipt/1" ‖ hash ‖ expires_at</c>
/// (via <see cref="StoreReceipts.Verify"/>), that it names <em>this</em> notification and its
/// expiry, and that the signer is the node that was asked — otherwise one node could hand out
/// receipts "from" others and a sender would think it reached more nodes than it did.
/// </summary>
public static class ReceiptVerifier
{
    /// <summary>Verifies <paramref name="receipt"/> for <paramref name="notification"/>, signed by <paramref name="expectedNode"/> when given.</summary>
    /// <param name="receipt">The receipt from a publish response.</param>
    /// <param name="notification">The notification that was published.</param>
    /// <param name="expectedNode">The peer the receipt came from; null skips the signer check.</param>
    /// <param name="verified">The checked receipt.</param>
    /// <param name="error">Why the receipt was refused.</param>
    public static bool TryVerify(
        StoreReceipt? receipt,
        Notification notification,
        PeerId? expectedNode,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VerifiedReceipt? verified,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(notification);
        verified = null;
        if (receipt is null)
        {
            error = "no receipt";
            return false;
        }
        if (!StoreReceipts.Verify(receipt))
        {
            error = "the receipt's signature does not verify";
            return false;
        }
        NotificationHash hash = NotificationHash.FromBytes(receipt.Hash.Span);
        if (hash != notification.Hash)
        {
            error = $"the receipt is for {hash}, not {notification.Hash}";
            return false;
        }
        if (receipt.ExpiresAt != notification.ExpiresAt)
        {
            error = $"the receipt expires at {receipt.ExpiresAt}, the notification at {notification.ExpiresAt}";
            return false;
        }
        PeerId signer;
        try
        {
            signer = PeerId.FromPublicKey(new Ed25519PublicKey(receipt.NodePublicKey.Span));
        }
        catch (ProtocolViolationException e)
        {
            error = "the receipt's node key is not an Ed25519 key: " + e.Message;
            return false;
        }
        if (expectedNode is not null && !signer.Equals(expectedNode))
        {
            error = $"the receipt is signed by {signer}, not by the node asked ({expectedNode})";
            return false;
        }
        verified = new VerifiedReceipt(signer, hash, receipt.ExpiresAt, receipt.NodePublicKey.ToByteArray(), receipt.Signature.ToByteArray());
        error = null;
        return true;
    }
}
