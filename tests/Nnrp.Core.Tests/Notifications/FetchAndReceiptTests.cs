using Google.Protobuf;
using NSec.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Core.Tests.Notifications;

public class FetchAndReceiptTests
{
    [Fact]
    public void Fetch_by_tag_matches_only_that_tag()
    {
        var tag = RecipientTag.Parse(TestVectors.Key0Tag);
        FetchQuery q = FetchQuery.FromProto(new FetchRequest { RecipientTag = ByteString.CopyFrom(tag.ToArray()) });
        Assert.Equal(tag, q.ExactTag);
        Assert.Equal(FetchQuery.DefaultLimit, q.Limit);
        Assert.True(q.Matches(tag));
        Assert.False(q.Matches(RecipientTag.Parse(TestVectors.Key7Tag)));
    }

    [Fact]
    public void Fetch_by_prefix_matches_the_top_bits()
    {
        // Key0Tag starts f6 = 1111 0110, Key7Tag starts ba = 1011 1010.
        FetchQuery q = FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 3, Prefix = ByteString.CopyFrom([0xe0]) }, Limit = 500 });
        Assert.True(q.Matches(RecipientTag.Parse(TestVectors.Key0Tag)));
        Assert.False(q.Matches(RecipientTag.Parse(TestVectors.Key7Tag)));
        FetchQuery all = FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 0 } });
        Assert.True(all.Matches(RecipientTag.Parse(TestVectors.Key7Tag)));
    }

    [Fact]
    public void Fetch_limits_are_enforced()
    {
        var tag = ByteString.CopyFrom(new byte[32]);
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest()));
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest { RecipientTag = tag, Limit = 501 }));
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest { RecipientTag = ByteString.CopyFrom(new byte[31]) }));
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest { RecipientTag = tag, Cursor = ByteString.CopyFrom(new byte[65]) }));
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 257, Prefix = ByteString.CopyFrom(new byte[33]) } }));
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 4, Prefix = ByteString.CopyFrom([0xf1]) } }));
        Assert.Throws<NnrpFormatException>(() => FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 9, Prefix = ByteString.CopyFrom([0xff]) } }));
        Assert.Equal(500, FetchQuery.FromProto(new FetchRequest { RecipientTag = tag, Limit = 500 }).Limit);
    }

    [Fact]
    public void Store_receipt_verifies_and_any_change_breaks_it()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var hash = NotificationHash.Parse(TestVectors.ExampleHash);
        // Signed as a node signs (Nnrp.Node's ReceiptSigner), with a bare Ed25519 key here.
        StoreReceipt receipt = new()
        {
            Hash = ByteString.CopyFrom(hash.ToArray()),
            ExpiresAt = 1_774_915_200,
            NodePublicKey = ByteString.CopyFrom(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            Signature = ByteString.CopyFrom(SignatureAlgorithm.Ed25519.Sign(key, StoreReceipts.SignedBytes(hash, 1_774_915_200))),
        };
        Assert.True(StoreReceipts.Verify(receipt));
        Assert.Equal(54, StoreReceipts.SignedBytes(hash, 1).Length);

        StoreReceipt later = receipt.Clone();
        later.ExpiresAt++;
        Assert.False(StoreReceipts.Verify(later));
        StoreReceipt other = receipt.Clone();
        other.Hash = ByteString.CopyFrom(new byte[32]);
        Assert.False(StoreReceipts.Verify(other));
        StoreReceipt truncated = receipt.Clone();
        truncated.Signature = ByteString.CopyFrom(receipt.Signature.Span[..63]);
        Assert.False(StoreReceipts.Verify(truncated));
    }
}
