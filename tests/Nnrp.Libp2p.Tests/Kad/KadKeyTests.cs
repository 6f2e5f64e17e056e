using System.Security.Cryptography;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Libp2p.Tests.Kad;

public class KadKeyTests
{
    [Fact]
    public void Key_of_bytes_is_their_sha256()
    {
        byte[] data = "hello"u8.ToArray();
        Assert.Equal(SHA256.HashData(data), KadKey.Hash(data).ToBytes());
    }

    [Fact]
    public void Distance_is_the_xor_of_the_keys()
    {
        KadKey a = KadTestPeers.RandomKey(), b = KadTestPeers.RandomKey();
        byte[] expected = a.ToBytes().Zip(b.ToBytes(), static (x, y) => (byte)(x ^ y)).ToArray();
        Assert.Equal(expected, a.Distance(b).ToBytes());
        Assert.Equal(a.Distance(b), b.Distance(a));
        Assert.Equal(KadKey.FromDigest(new byte[32]), a.Distance(a));
    }

    [Fact]
    public void Distances_compare_as_unsigned_big_endian_integers()
    {
        var zero = KadKey.FromDigest(new byte[32]);
        var low = new byte[32];
        low[31] = 0xff;
        var high = new byte[32];
        high[0] = 0x01;
        Assert.True(zero.CompareDistance(KadKey.FromDigest(low), KadKey.FromDigest(high)) < 0);
        var top = new byte[32];
        top[0] = 0x80;
        Assert.True(KadKey.FromDigest(top) > KadKey.FromDigest(high));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(200)]
    [InlineData(255)]
    public void Common_prefix_length_counts_leading_equal_bits(int bits)
    {
        KadKey a = KadTestPeers.RandomKey();
        byte[] other = a.ToBytes();
        other[bits / 8] ^= (byte)(0x80 >> (bits % 8));
        Assert.Equal(bits, a.CommonPrefixLength(KadKey.FromDigest(other)));
    }

    [Fact]
    public void Equal_keys_share_all_256_bits()
    {
        KadKey a = KadTestPeers.RandomKey();
        Assert.Equal(256, a.CommonPrefixLength(a));
    }

    [Fact]
    public void Key_must_be_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => KadKey.FromDigest(new byte[31]));
    }
}
