using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Tests.Encoding;

/// <summary>Vectors from the multibase spec test suite (multiformats/multibase tests/).</summary>
public class MultibaseTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("Decentralize everything!!", "UXE7GvtEk8XTXs1GF8HSGbVA9FCX9SEBPe")]
    [InlineData("yes mani !", "7paNL19xttacUY")]
    [InlineData("\0yes mani !", "17paNL19xttacUY")]
    [InlineData("\0\0yes mani !", "117paNL19xttacUY")]
    public void Base58btc_matches_the_multibase_vectors(string text, string encoded)
    {
        byte[] data = System.Text.Encoding.Latin1.GetBytes(text);
        Assert.Equal(encoded, Base58.Encode(data));
        Assert.Equal(data, Base58.Decode(encoded));
    }

    [Theory]
    [InlineData("yes mani !", "pfsxgidnmfxgsibb")]
    [InlineData("Decentralize everything!!", "irswgzloorzgc3djpjssazlwmvzhs5dinfxgoijb")]
    [InlineData("\0yes mani !", "ab4wk4zanvqw42jaee")]
    public void Base32_lower_no_padding_matches_the_multibase_vectors(string text, string encoded)
    {
        byte[] data = System.Text.Encoding.Latin1.GetBytes(text);
        Assert.Equal(encoded, Base32.Encode(data));
        Assert.True(Base32.TryDecode(encoded, out byte[] decoded));
        Assert.Equal(data, decoded);
        Assert.True(Base32.TryDecode(encoded.ToUpperInvariant(), out decoded));
        Assert.Equal(data, decoded);
    }

    [Theory]
    [InlineData("0OIl")]
    [InlineData("abc+")]
    public void Base58_rejects_characters_outside_the_alphabet(string text) =>
        Assert.False(Base58.TryDecode(text, out _));

    [Theory]
    [InlineData("pfsxgidnmfxgsib=")]
    [InlineData("a1")]
    [InlineData("ab")] // non-zero trailing bits: not canonical
    public void Base32_rejects_padding_bad_characters_and_non_canonical_tails(string text) =>
        Assert.False(Base32.TryDecode(text, out _));
}
