using Nnrp.Core.Keys;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>keys.json (NNRP.md §9, §4, §10.3): seed recovery, recipient tag and URI.</summary>
public sealed class KeyVectorTests
{
    [Fact]
    public void Seed_and_index_give_the_published_key_pair_tag_and_uri()
    {
        foreach (Vector v in VectorFile.Load("keys").Vectors())
        {
            NotificationKeyPair pair = NotificationKeys.Derive(v.Bytes("seed"), (uint)v.Number("index"));
            Expect.Hex(v, "private_key", pair.PrivateKey);
            Expect.Hex(v, "public_key", pair.PublicKey);
            Expect.Hex(v, "recipient_tag", pair.Tag.ToArray());
            Expect.Hex(v, "recipient_tag", RecipientTag.FromNotificationKey(v.Bytes("public_key")).ToArray());
            Expect.Equal(v.Text("uri"), pair.ToUri().ToString(), v, "uri");
        }
    }
}
