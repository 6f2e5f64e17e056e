using Nnrp.Client.Keys;
using Nnrp.Client.Recipients;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core;
using Nnrp.Core.Codecs;

namespace Nnrp.Client.Tests.Recipients;

/// <summary>NNRP.md §10.3–§10.4: who a notification goes to.</summary>
public sealed class RecipientTests
{
    [Fact]
    public void A_NanoNym_v2_address_yields_the_notification_key_of_its_nnrp_uri()
    {
        Recipient recipient = Recipient.Parse(Samples.SeedNanoNym);
        Assert.Equal(Samples.SeedKeyHex, Hex.Encode(recipient.NotificationKey));
        Assert.Equal(Samples.SeedTagHex, recipient.Tag.ToString());
        Assert.NotNull(recipient.Address);
        Assert.Equal(Samples.SeedUri, recipient.Uri.ToString());
    }

    [Fact]
    public void An_nnrp_uri_is_a_recipient_and_its_relay_hints_are_kept()
    {
        const string relay = "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
        Recipient recipient = Recipient.Parse(Samples.SeedUri + "?relay=" + relay);
        Assert.Equal(Samples.SeedTagHex, recipient.Tag.ToString());
        Assert.Equal([relay], recipient.RelayHints);
        Assert.Null(recipient.Address);
    }

    [Fact]
    public void The_scheme_is_case_insensitive_and_spaces_around_are_ignored()
    {
        Assert.Equal(Samples.SeedTagHex, Recipient.Parse("  NNRP:" + Samples.SeedUri[5..] + " ").Tag.ToString());
    }

    [Fact]
    public void A_nostr_uri_is_not_an_NNRP_recipient()
    {
        var e = Assert.Throws<NotAnNnrpRecipientException>(() => Recipient.Parse("nostr:npub1sn0wdenkukak0d9dfczzeacvhkrgz92ak56egt7vdgzn8pv2wfqqhrjdv9"));
        Assert.Equal("nostr", e.Scheme);
        Assert.Contains("not an NNRP recipient", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NanoNym_whose_notification_uri_is_nostr_is_not_an_NNRP_recipient()
    {
        var address = new NanoNymAddress(new byte[32], new byte[32], "nostr:npub1sn0wdenkukak0d9dfczzeacvhkrgz92ak56egt7vdgzn8pv2wfqqhrjdv9");
        var e = Assert.Throws<NotAnNnrpRecipientException>(() => Recipient.Parse(address.Encode()));
        Assert.Contains("NanoNym", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_round_trip_through_a_NanoNym_built_from_a_generated_key_finds_the_same_tag()
    {
        var key = WalletKeys.Generate();
        var address = new NanoNymAddress(new byte[32], new byte[32], key.ToUri().ToString());
        Assert.Equal(key.Tag, Recipient.Parse(address.Encode()).Tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nano_3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736xtoncuohr3")]
    [InlineData("nnrp:")]
    [InlineData("nnrp:2wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a")]
    [InlineData("nnym_1aaj46")]
    [InlineData("hello world")]
    public void Text_that_is_no_recipient_gives_a_format_error(string text)
    {
        var e = Assert.ThrowsAny<NnrpFormatException>(() => Recipient.Parse(text));
        Assert.IsNotType<NotAnNnrpRecipientException>(e);
        Assert.False(Recipient.TryParse(text, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Random_and_truncated_recipients_give_a_format_error_never_a_crash()
    {
        var random = new Random(11);
        const string alphabet = "13456789abcdefghijkmnopqrstuwxyz:_?=&/%";
        for (int i = 0; i < 1000; i++)
        {
            string text = (i % 3) switch
            {
                0 => Samples.SeedNanoNym[..random.Next(Samples.SeedNanoNym.Length)],
                1 => Samples.SeedUri[..random.Next(Samples.SeedUri.Length)] + "?relay=%" + random.Next(),
                _ => "nnym_" + new string(Enumerable.Range(0, random.Next(200)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()),
            };
            try
            {
                Recipient.Parse(text);
            }
            catch (NnrpFormatException)
            {
            }
        }
    }
}
