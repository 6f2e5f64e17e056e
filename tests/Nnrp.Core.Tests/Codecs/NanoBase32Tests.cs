using Nnrp.Core.Codecs;

namespace Nnrp.Core.Tests.Codecs;

public class NanoBase32Tests
{
    // Nano live genesis account (nano-node nano/secure/common.cpp): key E89208…93BA is
    // nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr3.
    private const string GenesisKey = "E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA";
    private const string GenesisAccount = "nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr3";

    [Fact]
    public void Leading_padding_reproduces_the_genesis_account_key_part()
    {
        Assert.Equal("3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xt", NanoBase32.EncodeLeading(Convert.FromHexString(GenesisKey)));
    }

    [Fact]
    public void Nano_account_round_trip_with_checksum()
    {
        Assert.Equal(GenesisAccount, NanoAccount.Encode(Convert.FromHexString(GenesisKey)));
        Assert.Equal(Convert.FromHexString(GenesisKey), NanoAccount.Decode(GenesisAccount));
        Assert.Equal(Convert.FromHexString(GenesisKey), NanoAccount.Decode("xrb_" + GenesisAccount[5..]));
    }

    [Theory]
    [InlineData("nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr4")] // checksum
    [InlineData("nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xuoncuohr3")] // key
    [InlineData("nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr")]  // length
    [InlineData("nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohl3")] // 'l' not in alphabet
    [InlineData("nano_5t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr3")] // padding bits set
    [InlineData("ban_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr3")]
    public void Bad_nano_accounts_are_refused(string address)
    {
        Assert.Throws<NnrpFormatException>(() => NanoAccount.Decode(address));
    }

    [Fact]
    public void Both_paddings_round_trip_every_length()
    {
        var random = new Random(5);
        for (int length = 0; length <= 80; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var back = new byte[length];
            Assert.True(NanoBase32.TryDecodeLeading(NanoBase32.EncodeLeading(data), back));
            Assert.Equal(data, back);
            var trailing = new byte[length];
            Assert.True(NanoBase32.TryDecodeTrailing(NanoBase32.EncodeTrailing(data), trailing, out int written));
            Assert.Equal(length, written);
            Assert.Equal(data, trailing);
        }
    }

    [Fact]
    public void Upper_case_is_read_but_lower_case_is_written()
    {
        var bytes = new byte[32];
        Assert.True(NanoBase32.TryDecodeLeading("3T6K35GI95XU6TERGT6P69CK76OGMITSA8MNIJTPXM9FKCM736XT", bytes));
        Assert.Equal(Convert.FromHexString(GenesisKey), bytes);
    }

    [Fact]
    public void Non_zero_trailing_padding_is_refused()
    {
        // One byte = 8 bits → 2 chars with 2 padding bits; "1" then "4" sets a padding bit.
        Assert.False(NanoBase32.TryDecodeTrailing("14", new byte[1], out _));
        Assert.True(NanoBase32.TryDecodeTrailing("11", new byte[1], out _));
        Assert.False(NanoBase32.TryDecodeTrailing("111", new byte[2], out _)); // not a canonical length
    }
}
