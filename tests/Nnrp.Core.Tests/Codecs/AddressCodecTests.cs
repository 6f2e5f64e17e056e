using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Core.Tests.Codecs;

public class AddressCodecTests
{
    [Theory]
    [InlineData("nr_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1p")]   // short
    [InlineData("nr_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1pyy")] // long
    [InlineData("nr_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1p2")]  // '2' not in alphabet
    [InlineData("nr_5hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py")]  // padding bits set
    [InlineData("nano_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py")]
    [InlineData("")]
    public void Bad_relay_addresses_are_refused(string address)
    {
        Assert.False(RelayAddress.TryDecode(address, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<NnrpFormatException>(() => RelayAddress.Decode(address));
    }

    [Fact]
    public void Relay_address_round_trips_random_hashes()
    {
        var random = new Random(3);
        var bytes = new byte[32];
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(bytes);
            var hash = NotificationHash.FromBytes(bytes);
            string address = hash.ToRelayAddress();
            Assert.Equal(RelayAddress.Length, address.Length);
            Assert.Equal(hash, RelayAddress.Decode(address));
        }
    }

    [Fact]
    public void Notification_uri_of_the_seed_key_matches_the_vector()
    {
        NotificationKeyPair keys = NotificationKeys.Derive(TestVectors.Seed, 0);
        Assert.Equal(TestVectors.Key0Uri, keys.ToUri().ToString());
        NotificationUri parsed = NotificationUri.Parse(TestVectors.Key0Uri);
        Assert.Equal(TestVectors.FromHex(TestVectors.Key0Public), parsed.NotificationKey.ToArray());
        Assert.Empty(parsed.Relays);
        Assert.Equal(RecipientTag.Parse(TestVectors.Key0Tag), parsed.Tag);
    }

    [Fact]
    public void Notification_uri_with_relay_hints_round_trips()
    {
        string[] relays =
        [
            "/dns4/relay.example.org/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
            "/ip6/::1/tcp/4001/ws",
        ];
        var uri = new NotificationUri(TestVectors.FromHex(TestVectors.Key0Public), relays);
        string text = uri.ToString();
        Assert.Equal(TestVectors.Key0Uri + "?relay=" + relays[0] + "&relay=" + relays[1], text);
        NotificationUri back = NotificationUri.Parse(text);
        Assert.Equal(relays, back.Relays);
        Assert.Equal(relays, NotificationUri.Parse("NNRP:" + text[5..] + "&future=1").Relays);
    }

    [Fact]
    public void Relay_hint_with_reserved_characters_is_percent_encoded()
    {
        var uri = new NotificationUri(TestVectors.FromHex(TestVectors.Key0Public), ["/dns4/a&b=c#d%e/tcp/1"]);
        string text = uri.ToString();
        Assert.EndsWith("?relay=/dns4/a%26b%3Dc%23d%25e/tcp/1", text, StringComparison.Ordinal);
        Assert.Equal("/dns4/a&b=c#d%e/tcp/1", NotificationUri.Parse(text).Relays[0]);
    }

    [Theory]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a")]     // short key
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a77")]   // long key
    [InlineData("nnrp:0wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7")]    // '0' not in alphabet
    [InlineData("nostr:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay=ip4/1.2.3.4")]  // not a multiaddr
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay=/a%2")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7#x")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay=/a%zz")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay=/a%ff")]
    [InlineData("nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay=/a%20b")]
    [InlineData("nnrp:")]
    public void Bad_notification_uris_are_refused(string text)
    {
        Assert.Throws<NnrpFormatException>(() => NotificationUri.Parse(text));
        Assert.False(NotificationUri.TryParse(text, out _));
    }

    [Fact]
    public void Too_many_relay_hints_are_refused()
    {
        string text = TestVectors.Key0Uri + "?" + string.Join("&", Enumerable.Repeat("relay=/ip4/1.2.3.4/tcp/1", 9));
        Assert.Throws<NnrpFormatException>(() => NotificationUri.Parse(text));
    }

    [Fact]
    public void NanoNym_address_matches_the_independent_encoding()
    {
        var nym = new NanoNymAddress(Enumerable.Repeat((byte)0x11, 32).ToArray(), Enumerable.Repeat((byte)0x22, 32).ToArray(), TestVectors.Key0Uri);
        Assert.Equal(TestVectors.ExampleNanoNym, nym.Encode());
        NanoNymAddress back = NanoNymAddress.Decode(TestVectors.ExampleNanoNym);
        Assert.Equal(nym, back);
        Assert.Equal(TestVectors.FromHex(TestVectors.Key0Public), back.NnrpUri!.NotificationKey.ToArray());
    }

    [Fact]
    public void NanoNym_with_a_non_nnrp_uri_round_trips_and_has_no_nnrp_destination()
    {
        var nym = new NanoNymAddress(new byte[32], new byte[32], "nostr:npub1xyz");
        NanoNymAddress back = NanoNymAddress.Decode(nym.Encode());
        Assert.Equal("nostr:npub1xyz", back.NotificationUri);
        Assert.Null(back.NnrpUri);
    }

    [Fact]
    public void NanoNym_with_a_wrong_checksum_is_refused()
    {
        string good = TestVectors.ExampleNanoNym;
        // Change one character inside the checksum (the last 8 characters cover it).
        char last = good[^3];
        string bad = good[..^3] + (last == 'a' ? 'b' : 'a') + good[^2..];
        var e = Assert.Throws<NnrpFormatException>(() => NanoNymAddress.Decode(bad));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nnym_")]
    [InlineData("nnym_1aaj46aj46")]
    [InlineData("nano_1aaj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj4")]
    [InlineData("nnym_1aaj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj4vj46")]
    public void Malformed_nanonyms_are_refused(string text)
    {
        Assert.Throws<NnrpFormatException>(() => NanoNymAddress.Decode(text));
    }

    [Fact]
    public void NanoNym_of_another_version_is_refused()
    {
        var nym = new NanoNymAddress(new byte[32], new byte[32], "nnrp:x");
        byte[] payload = new byte[NanoNymAddress.HeaderSize + 6 + NanoNymAddress.ChecksumSize];
        string good = nym.Encode();
        Assert.True(NanoBase32.TryDecodeTrailing(good.AsSpan(5), payload, out int n));
        payload[0] = 3;
        Core.Hashing.Blake2b.Hash(payload.AsSpan(0, n - 5), payload.AsSpan(n - 5, 5));
        var e = Assert.Throws<NnrpFormatException>(() => NanoNymAddress.Decode("nnym_" + NanoBase32.EncodeTrailing(payload.AsSpan(0, n))));
        Assert.Contains("version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NanoNym_with_an_empty_or_schemeless_uri_cannot_be_made()
    {
        Assert.Throws<NnrpFormatException>(() => new NanoNymAddress(new byte[32], new byte[32], ""));
        Assert.Throws<NnrpFormatException>(() => new NanoNymAddress(new byte[32], new byte[32], "no-scheme"));
        Assert.Throws<NnrpFormatException>(() => new NanoNymAddress(new byte[31], new byte[32], "nnrp:x"));
    }

    [Fact]
    public void Random_and_oversized_address_text_never_crashes()
    {
        var random = new Random(9);
        const string chars = "13456789abcdefghijkmnopqrstuwxyz02lvABC_:?&=/%";
        for (int i = 0; i < 3000; i++)
        {
            int length = random.Next(0, 300);
            string body = new(Enumerable.Range(0, length).Select(_ => chars[random.Next(chars.Length)]).ToArray());
            foreach (string text in new[] { "nnym_" + body, "nr_" + body, "nnrp:" + body, "nano_" + body })
            {
                try
                {
                    if (text.StartsWith("nnym_", StringComparison.Ordinal))
                    {
                        NanoNymAddress.Decode(text);
                    }
                    else if (text.StartsWith("nr_", StringComparison.Ordinal))
                    {
                        RelayAddress.Decode(text);
                    }
                    else if (text.StartsWith("nnrp:", StringComparison.Ordinal))
                    {
                        NotificationUri.Parse(text);
                    }
                    else
                    {
                        NanoAccount.Decode(text);
                    }
                }
                catch (NnrpFormatException)
                {
                }
            }
        }
        Assert.Throws<NnrpFormatException>(() => NanoNymAddress.Decode("nnym_" + new string('1', 200_000)));
        Assert.Throws<NnrpFormatException>(() => NotificationUri.Parse("nnrp:" + new string('1', 20_000)));
    }
}
