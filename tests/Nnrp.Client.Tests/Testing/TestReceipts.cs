using Google.Protobuf;
using Nnrp.Core.Notifications;
using NSec.Cryptography;
using StoreReceipt = Nnrp.Core.Protocol.StoreReceipt;

namespace Nnrp.Client.Tests.Testing;

/// <summary>Store receipts signed as a node signs them (NNRP.md §11.6), with a bare Ed25519 key for fake nodes.</summary>
public static class TestReceipts
{
    public static StoreReceipt Sign(Key nodeKey, NotificationHash hash, ulong expiresAt) => new()
    {
        Hash = ByteString.CopyFrom(hash.ToArray()),
        ExpiresAt = expiresAt,
        NodePublicKey = ByteString.CopyFrom(nodeKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
        Signature = ByteString.CopyFrom(SignatureAlgorithm.Ed25519.Sign(nodeKey, StoreReceipts.SignedBytes(hash, expiresAt))),
    };
}
