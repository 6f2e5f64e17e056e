using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Protocol.Receipts;

/// <summary>A store receipt whose signature, hash, expiry and signer have been checked (NNRP.md §11.6).</summary>
/// <param name="Node">The node that signed: the PeerId of <see cref="NodePublicKey"/>.</param>
/// <param name="Hash">The notification it covers.</param>
/// <param name="ExpiresAt">Unix second until which the node promised to keep it.</param>
/// <param name="NodePublicKey">The node's Ed25519 key (32 bytes).</param>
/// <param name="Signature">The Ed25519 signature (64 bytes), for whoever wants to check it again.</param>
public sealed record VerifiedReceipt(PeerId Node, NotificationHash Hash, ulong ExpiresAt, ReadOnlyMemory<byte> NodePublicKey, ReadOnlyMemory<byte> Signature);
