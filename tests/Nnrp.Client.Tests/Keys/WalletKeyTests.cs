using Nnrp.Client.Keys;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;

namespace Nnrp.Client.Tests.Keys;

/// <summary>NNRP.md §9: where notification keys come from.</summary>
public sealed class WalletKeyTests
{
    [Fact]
    public void A_key_from_a_seed_and_index_is_the_one_of_the_spec_example()
    {
        NotificationKeyPair key = WalletKeys.FromSeed(Samples.SeedHex, 0);
        Assert.Equal(Samples.SeedKeyHex, Hex.Encode(key.PublicKey));
        Assert.Equal(Samples.SeedTagHex, key.Tag.ToString());
        Assert.Equal(Samples.SeedUri, key.ToUri().ToString());
    }

    [Fact]
    public void The_seed_may_be_written_in_either_case_with_surrounding_spaces()
    {
        NotificationKeyPair key = WalletKeys.FromSeed("  " + Samples.SeedHex.ToUpperInvariant() + "\n", 0);
        Assert.Equal(Samples.SeedKeyHex, Hex.Encode(key.PublicKey));
    }

    [Fact]
    public void Different_indexes_give_different_keys()
    {
        Assert.NotEqual(WalletKeys.FromSeed(Samples.SeedHex, 0).Tag, WalletKeys.FromSeed(Samples.SeedHex, 1).Tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("0001020304050607080900010203040")] // odd length
    [InlineData("zz0102030405060708090a0b0c0d0e0f")]
    public void A_seed_that_is_not_16_to_64_bytes_of_hex_is_refused(string seed)
    {
        var e = Assert.ThrowsAny<NnrpFormatException>(() => WalletKeys.FromSeed(seed, 0));
        Assert.Contains("seed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_keys_are_fresh_every_time()
    {
        NotificationKeyPair a = WalletKeys.Generate(), b = WalletKeys.Generate();
        Assert.NotEqual(a.Tag, b.Tag);
        Assert.Equal(NotificationKeys.PublicKeyOf(a.PrivateKey), a.PublicKey.ToArray());
    }
}
