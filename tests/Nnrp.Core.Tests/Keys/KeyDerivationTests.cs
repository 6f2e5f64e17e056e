using Nnrp.Core.Keys;

namespace Nnrp.Core.Tests.Keys;

public class KeyDerivationTests
{
    [Theory]
    [InlineData(0u, TestVectors.Key0Private, TestVectors.Key0Public, TestVectors.Key0Tag)]
    [InlineData(7u, TestVectors.Key7Private, TestVectors.Key7Public, TestVectors.Key7Tag)]
    public void Seed_derivation_matches_the_independent_computation(uint index, string priv, string pub, string tag)
    {
        NotificationKeyPair keys = NotificationKeys.Derive(TestVectors.Seed, index);
        Assert.Equal(priv, Convert.ToHexStringLower(keys.PrivateKey));
        Assert.Equal(pub, Convert.ToHexStringLower(keys.PublicKey));
        Assert.Equal(tag, keys.Tag.ToString());
        Assert.Equal(keys.Tag, RecipientTag.FromNotificationKey(keys.PublicKey));
    }

    [Fact]
    public void Different_seeds_and_indexes_give_different_keys()
    {
        byte[] otherSeed = (byte[])TestVectors.Seed.Clone();
        otherSeed[0] ^= 1;
        var a = NotificationKeys.Derive(TestVectors.Seed, 1);
        Assert.NotEqual(a.Tag, NotificationKeys.Derive(TestVectors.Seed, 2).Tag);
        Assert.NotEqual(a.Tag, NotificationKeys.Derive(otherSeed, 1).Tag);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(65)]
    public void Seeds_outside_16_to_64_bytes_are_refused(int length)
    {
        Assert.Throws<NnrpFormatException>(() => NotificationKeys.Derive(new byte[length], 0));
    }

    [Fact]
    public void Tag_hex_parsing_is_strict()
    {
        Assert.Equal(TestVectors.Key0Tag, RecipientTag.Parse(TestVectors.Key0Tag.ToUpperInvariant()).ToString());
        Assert.Throws<NnrpFormatException>(() => RecipientTag.Parse(TestVectors.Key0Tag.AsSpan(0, 62)));
        Assert.Throws<NnrpFormatException>(() => RecipientTag.Parse("x" + TestVectors.Key0Tag[1..]));
        Assert.Throws<NnrpFormatException>(() => RecipientTag.FromBytes(new byte[33]));
        Assert.Throws<NnrpFormatException>(() => RecipientTag.FromNotificationKey(new byte[31]));
    }

    [Theory]
    // Key0Tag = f687b42a…: 1111 0110 1000 0111 …
    [InlineData(0, 0u)]
    [InlineData(1, 1u)]
    [InlineData(4, 0xfu)]
    [InlineData(8, 0xf6u)]
    [InlineData(12, 0xf68u)]
    [InlineData(32, 0xf687b42au)]
    public void Shard_index_is_the_top_bits_of_the_tag(int bits, uint expected)
    {
        Assert.Equal(expected, RecipientTag.Parse(TestVectors.Key0Tag).ShardIndex(bits));
    }

    [Fact]
    public void Shard_bits_beyond_32_are_refused()
    {
        Assert.Throws<NnrpFormatException>(() => RecipientTag.Parse(TestVectors.Key0Tag).ShardIndex(33));
        Assert.Throws<NnrpFormatException>(() => Shards.DhtKey(8, 256));
        Assert.Throws<NnrpFormatException>(() => Shards.DhtKey(-1, 0));
    }

    [Fact]
    public void Raw_sha256_cid_matches_the_well_known_hello_world_cid()
    {
        // `ipfs add --cid-version 1 --raw-leaves` of "hello world" (no newline).
        Assert.Equal("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", Shards.RawSha256CidString("hello world"u8));
    }

    [Theory]
    [InlineData(0, 0u, "015512208ebb30f685926965e42ce5dc4655f4b9c60e9bdb3be9ba0112d38cc81846b05a", "bafkreieoxmypnbmsnfs6ilhf3rdfl5fzyyhjxwz35g5acewtrtebqrvqli")]
    [InlineData(8, 200u, "0155122042754980319fa3c610626d319d7e0d6c85f5f3e1bac736ef41bb209b61cc48da", "bafkreiccoveyamm7updbaytnggox4dlmqx27hyn2y43o6qn3ecnwdtci3i")]
    [InlineData(16, 65535u, "015512203805791bafcb8dfc755d2216e0c305ffd91d5501e5d71bfef562012cf1129010", "bafkreibyav4rxl6lrx6hkxjcc3qmgbp73eovkapf24n755lcaewpceuqca")]
    public void Shard_dht_keys_match_the_independent_computation(int bits, uint index, string hex, string text)
    {
        Assert.Equal("nnrp/shard/v1/" + bits + "/" + index, Shards.Name(bits, index));
        Assert.Equal(hex, Convert.ToHexStringLower(Shards.DhtKey(bits, index)));
        Assert.Equal(text, Shards.DhtKeyString(bits, index));
    }
}
