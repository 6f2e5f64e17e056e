using Nnrp.Core.Codecs;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>encodings.json (NNRP.md §10): Nano base32, Nano accounts, nnrp: URIs, NanoNym addresses.</summary>
public sealed class EncodingVectorTests
{
    private static readonly VectorFile File = VectorFile.Load("encodings");

    [Fact]
    public void Base32_in_both_paddings_is_the_published_text_and_reads_back()
    {
        foreach (Vector v in File.Vectors("base32"))
        {
            byte[] bytes = v.Bytes("bytes");
            Expect.Equal(v.Text("leading"), NanoBase32.EncodeLeading(bytes), v, "leading");
            Expect.Equal(v.Text("trailing"), NanoBase32.EncodeTrailing(bytes), v, "trailing");
            var leading = new byte[bytes.Length];
            Assert.True(NanoBase32.TryDecodeLeading(v.Text("leading").ToUpperInvariant(), leading), v.Description);
            Expect.Hex(v, "bytes", leading);
            var trailing = new byte[bytes.Length];
            Assert.True(NanoBase32.TryDecodeTrailing(v.Text("trailing"), trailing, out int written), v.Description);
            Expect.Hex(v, "bytes", trailing.AsSpan(0, written));
        }
    }

    [Fact]
    public void Nano_accounts_carry_the_byte_reversed_checksum()
    {
        foreach (Vector v in File.Vectors("nano_account"))
        {
            Expect.Equal(v.Text("account"), NanoAccount.Encode(v.Bytes("public_key")), v, "account");
            Expect.Hex(v, "public_key", NanoAccount.Decode(v.Text("account")));
            var digest = new byte[5];
            Core.Hashing.Blake2b.Hash(v.Bytes("public_key"), digest);
            Array.Reverse(digest);
            Expect.Hex(v, "checksum", digest);
        }
    }

    [Fact]
    public void Uris_are_written_as_published()
    {
        foreach (Vector v in File.Vectors("uri_write"))
        {
            var uri = new NotificationUri(v.Bytes("public_key"), v.Texts("relays"));
            Expect.Equal(v.Text("uri"), uri.ToString(), v, "uri");
            NotificationUri back = NotificationUri.Parse(v.Text("uri"));
            Expect.Hex(v, "public_key", back.NotificationKey);
            Expect.Equal(string.Join(" ", v.Texts("relays")), string.Join(" ", back.Relays), v, "relays");
        }
    }

    [Fact]
    public void Uris_are_read_or_refused_as_published()
    {
        foreach (Vector v in File.Vectors("uri_read"))
        {
            bool ok = NotificationUri.TryParse(v.Text("text"), out NotificationUri? uri);
            Expect.Equal(!v.Has("error"), ok, v, "accepted");
            if (ok)
            {
                Expect.Hex(v, "public_key", uri!.NotificationKey);
                Expect.Equal(string.Join(" ", v.Texts("relays")), string.Join(" ", uri.Relays), v, "relays");
            }
        }
    }

    [Fact]
    public void NanoNym_addresses_are_written_and_read_as_published()
    {
        foreach (Vector v in File.Vectors("nanonym"))
        {
            var address = new NanoNymAddress(v.Bytes("spend_public_key"), v.Bytes("view_public_key"), v.Text("uri"));
            Expect.Equal(v.Text("address"), address.Encode(), v, "address");
            Expect.Equal(address, NanoNymAddress.Decode(v.Text("address")), v, "decoded");
            byte[] bytes = v.Bytes("bytes");
            var checksum = new byte[5];
            Core.Hashing.Blake2b.Hash(bytes.AsSpan(0, bytes.Length - 5), checksum);
            Expect.Hex(v, "checksum", checksum); // digest order, not reversed (unlike §10.2)
            Expect.Hex(v, "checksum", bytes.AsSpan(bytes.Length - 5));
        }
    }
}
