using Google.Protobuf;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Identity;
using NSec.Cryptography;
using Nnrp.Protocol.Receipts;
using StoreReceipt = Nnrp.Core.Protocol.StoreReceipt;

namespace Nnrp.Client.Tests.Sending;

/// <summary>NNRP.md §11.6: a node counts as holding a notification only with its own valid receipt.</summary>
public sealed class ReceiptVerifierTests : IDisposable
{
    private readonly Key _node = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly Key _other = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly Notification _notification = Samples.Sealed(Samples.SeedKey, Samples.Event());

    private static PeerId PeerOf(Key key) => PeerId.FromPublicKey(new Ed25519PublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));

    [Fact]
    public void A_receipt_signed_by_the_node_asked_for_this_notification_verifies()
    {
        StoreReceipt receipt = TestReceipts.Sign(_node, _notification.Hash, _notification.ExpiresAt);
        Assert.True(ReceiptVerifier.TryVerify(receipt, _notification, PeerOf(_node), out VerifiedReceipt? verified, out string? error), error);
        Assert.Equal(PeerOf(_node), verified.Node);
        Assert.Equal(_notification.Hash, verified.Hash);
        Assert.Equal(_notification.ExpiresAt, verified.ExpiresAt);
    }

    [Fact]
    public void A_receipt_with_a_broken_signature_is_refused()
    {
        StoreReceipt receipt = TestReceipts.Sign(_node, _notification.Hash, _notification.ExpiresAt);
        byte[] signature = receipt.Signature.ToByteArray();
        signature[10] ^= 1;
        receipt.Signature = ByteString.CopyFrom(signature);
        Assert.False(ReceiptVerifier.TryVerify(receipt, _notification, PeerOf(_node), out _, out string? error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receipt_for_another_notification_is_refused()
    {
        Notification other = Samples.Sealed(Samples.SeedKey, Samples.Event(2));
        StoreReceipt receipt = TestReceipts.Sign(_node, other.Hash, _notification.ExpiresAt);
        Assert.False(ReceiptVerifier.TryVerify(receipt, _notification, PeerOf(_node), out _, out string? error));
        Assert.Contains("is for", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receipt_promising_a_shorter_life_than_the_ttl_is_refused()
    {
        StoreReceipt receipt = TestReceipts.Sign(_node, _notification.Hash, _notification.ExpiresAt - 3600);
        Assert.False(ReceiptVerifier.TryVerify(receipt, _notification, PeerOf(_node), out _, out string? error));
        Assert.Contains("expires", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receipt_signed_by_another_node_than_the_one_asked_is_refused()
    {
        StoreReceipt receipt = TestReceipts.Sign(_other, _notification.Hash, _notification.ExpiresAt);
        Assert.False(ReceiptVerifier.TryVerify(receipt, _notification, PeerOf(_node), out _, out string? error));
        Assert.Contains("not by the node asked", error, StringComparison.Ordinal);
        Assert.True(ReceiptVerifier.TryVerify(receipt, _notification, null, out _, out _));
    }

    [Fact]
    public void A_missing_or_malformed_receipt_is_refused()
    {
        Assert.False(ReceiptVerifier.TryVerify(null, _notification, null, out _, out _));
        Assert.False(ReceiptVerifier.TryVerify(new StoreReceipt(), _notification, null, out _, out _));
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            var junk = new StoreReceipt
            {
                Hash = ByteString.CopyFrom(Bytes(random, random.Next(0, 40))),
                ExpiresAt = (ulong)random.NextInt64(),
                NodePublicKey = ByteString.CopyFrom(Bytes(random, random.Next(0, 40))),
                Signature = ByteString.CopyFrom(Bytes(random, random.Next(0, 70))),
            };
            Assert.False(ReceiptVerifier.TryVerify(junk, _notification, null, out _, out _));
        }
    }

    private static byte[] Bytes(Random random, int n)
    {
        byte[] b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    public void Dispose()
    {
        _node.Dispose();
        _other.Dispose();
    }
}
