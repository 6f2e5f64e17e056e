using Nnrp.Core.Keys;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>shards.json (NNRP.md §8): shard DHT keys and the shard of a tag.</summary>
public sealed class ShardVectorTests
{
    [Fact]
    public void Shard_keys_are_the_published_cids()
    {
        foreach (Vector v in VectorFile.Load("shards").Vectors().Where(v => v.Has("cid")))
        {
            int bits = (int)v.Number("bits");
            uint index = (uint)v.Number("index");
            Expect.Equal(v.Text("name"), Shards.Name(bits, index), v, "name");
            Expect.Hex(v, "cid", Shards.DhtKey(bits, index));
            Expect.Hex(v, "kad_key", Shards.DhtKey(bits, index).AsSpan(2));
            Expect.Equal(v.Text("cid_text"), Shards.DhtKeyString(bits, index), v, "cid_text");
        }
    }

    [Fact]
    public void A_tag_falls_in_the_shard_of_its_top_bits()
    {
        foreach (Vector v in VectorFile.Load("shards").Vectors().Where(v => !v.Has("cid")))
        {
            RecipientTag tag = RecipientTag.FromBytes(v.Bytes("recipient_tag"));
            Expect.Equal((uint)v.Number("index"), Shards.IndexOf(tag, (int)v.Number("bits")), v, "index");
        }
    }
}
