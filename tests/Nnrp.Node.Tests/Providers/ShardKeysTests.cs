using Nnrp.Libp2p.Kad;
using Nnrp.Protocol.Shards;

namespace Nnrp.Node.Tests.Providers;

public class ShardKeysTests
{
    // The same vectors as Nnrp.Core's Shards tests: the wire key is the CID's multihash.
    [Theory]
    [InlineData(0, 0u, "015512208ebb30f685926965e42ce5dc4655f4b9c60e9bdb3be9ba0112d38cc81846b05a", "bafkreieoxmypnbmsnfs6ilhf3rdfl5fzyyhjxwz35g5acewtrtebqrvqli")]
    [InlineData(8, 200u, "0155122042754980319fa3c610626d319d7e0d6c85f5f3e1bac736ef41bb209b61cc48da", "bafkreiccoveyamm7updbaytnggox4dlmqx27hyn2y43o6qn3ecnwdtci3i")]
    public void Shard_key_is_cidv1_raw_sha256_of_its_name(int bits, uint index, string cidHex, string cidText)
    {
        Assert.Equal(cidHex, Convert.ToHexStringLower(ShardKeys.Cid(bits, index)));
        Assert.Equal(cidText, ShardKeys.CidString(bits, index));
    }

    [Fact]
    public void Wire_key_of_a_shard_is_the_multihash_inside_its_cid()
    {
        byte[] cid = ShardKeys.Cid(8, 200);
        byte[] multihash = cid.AsSpan(2).ToArray();
        Assert.Equal(multihash, ShardKeys.WireKey(8, 200));
        Assert.Equal(multihash, ShardKeys.WireKeyOfCid(cid));
        Assert.Equal(multihash, ShardKeys.WireKeyOfCid(multihash)); // CIDv0 is the bare multihash
    }

    [Fact]
    public void Name_is_decimal_bits_and_index()
    {
        Assert.Equal("nnrp/shard/v1/32/4294967295", ShardKeys.Name(32, uint.MaxValue));
    }

    [Theory]
    [InlineData(-1, 0u)]
    [InlineData(33, 0u)]
    [InlineData(0, 1u)]
    [InlineData(4, 16u)]
    public void Shard_outside_its_bit_width_is_refused(int bits, uint index)
    {
        Assert.Throws<Nnrp.Core.NnrpFormatException>(() => ShardKeys.Name(bits, index));
    }

    [Fact]
    public void Bytes_that_are_no_cid_are_refused()
    {
        Assert.Throws<FormatException>(() => ShardKeys.WireKeyOfCid([0x02, 0x55, 0x12]));
        Assert.Throws<FormatException>(() => ShardKeys.WireKeyOfCid([0x01, 0x55]));
    }
}
