using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>notifications.json (NNRP.md §3, §12, §13): hash, relay address, protobuf and JSON forms.</summary>
public sealed class NotificationVectorTests
{
    [Fact]
    public void Fields_give_the_published_hash_address_and_encodings()
    {
        foreach (Vector v in VectorFile.Load("notifications").Vectors())
        {
            Notification n = FromFields(v);
            Expect.Hex(v, "hash", n.Hash.ToArray());
            Expect.Equal(v.Text("relay_address"), RelayAddress.Encode(n.Hash), v, "relay_address");
            Expect.Hex(v, "hash", RelayAddress.Decode(v.Text("relay_address")).ToArray());
            Expect.Equal(v.Number("expires_at"), n.ExpiresAt, v, "expires_at");
            Expect.Equal(v.U64Hex("work_value"), n.WorkValue, v, "work_value");
            byte[] protobuf = NotificationProtobuf.Encode(n);
            Expect.Hex(v, "protobuf", protobuf);
            Expect.Equal((int)v.Number("size"), protobuf.Length, v, "size");
            Assert.True(protobuf.Length <= NotificationLimits.MaxEncodedSize, v.Description);
            Expect.Hex(v, "hash", NotificationProtobuf.Decode(v.Bytes("protobuf")).Hash.ToArray());
            if (v.Has("json"))
            {
                Expect.Equal(v.Text("json"), NotificationJson.Serialize(n), v, "json");
                Notification parsed = NotificationJson.Parse(v.Text("json"));
                Expect.Hex(v, "hash", parsed.Hash.ToArray());
                Expect.Equal(n.Work, parsed.Work, v, "work");
            }
        }
    }

    [Fact]
    public void The_preimage_is_the_45_byte_header_and_the_payload()
    {
        foreach (Vector v in VectorFile.Load("notifications").Vectors().Where(v => v.Has("preimage")))
        {
            byte[] preimage = v.Bytes("preimage");
            Expect.Equal(45 + v.Bytes("payload").Length, preimage.Length, v, "preimage length");
            var hash = new byte[32];
            Core.Hashing.Blake2b.Hash(preimage, hash);
            Expect.Hex(v, "hash", hash);
        }
    }

    internal static Notification FromFields(Vector v) => new(
        (uint)v.Number("version"), RecipientTag.FromBytes(v.Bytes("recipient_tag")), v.Number("timestamp"),
        (uint)v.Number("ttl"), v.Bytes("payload"), v.U64Hex("work"));
}
