using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Identity;

/// <summary>peer-ids.md "Peer Ids", "String representation", "Decoding".</summary>
public class PeerIdTests
{
    [Fact]
    public void Key_of_at_most_42_bytes_is_inlined_with_the_identity_multihash()
    {
        var id = PeerId.FromPublicKey(PublicKey.FromProtobuf(SpecVectors.Ed25519PublicKey));
        Assert.Equal(SpecVectors.Ed25519VectorPeerId, id.ToString());
        Assert.Equal([0x00, 36, .. SpecVectors.Ed25519PublicKey], id.ToBytes());

        var secp = PeerId.FromPublicKey(PublicKey.FromProtobuf(SpecVectors.Secp256k1PublicKey));
        Assert.Equal(SpecVectors.Secp256k1VectorPeerId, secp.ToString());
    }

    [Fact]
    public void Ed25519_peer_ids_read_12D3KooW()
    {
        using var pair = KeyPair.Generate();
        Assert.StartsWith("12D3KooW", pair.PeerId.ToString(), StringComparison.Ordinal);
        Assert.True(pair.PeerId.Matches(pair.PublicKey));
    }

    [Fact]
    public void Base58_and_CID_forms_of_one_peer_id_parse_to_the_same_id()
    {
        var fromBase58 = PeerId.Parse(SpecVectors.Sha256Base58);
        var fromCid = PeerId.Parse(SpecVectors.Sha256Cid);
        Assert.Equal(fromBase58, fromCid);
        Assert.True(fromBase58 == fromCid);
        Assert.Equal(fromBase58.GetHashCode(), fromCid.GetHashCode());
        Assert.Equal(SpecVectors.Sha256Base58, fromCid.ToString());
        Assert.Equal(SpecVectors.Sha256Cid, fromBase58.ToCidString());
        Assert.Equal(fromCid, PeerId.Parse("B" + SpecVectors.Sha256Cid[1..].ToUpperInvariant()));   // multibase 'B': upper-case base32
    }

    [Fact]
    public void Identity_peer_id_round_trips_through_text_bytes_and_its_inlined_key()
    {
        var id = PeerId.Parse(SpecVectors.Ed25519Base58);
        Assert.Equal(SpecVectors.Ed25519Base58, id.ToString());
        Assert.Equal(id, PeerId.Parse(id.ToCidString()));
        Assert.Equal(id, PeerId.FromBytes(id.Bytes.Span));
        PublicKey? key = id.TryGetPublicKey();
        Assert.NotNull(key);
        Assert.Equal(KeyType.Ed25519, key.Type);
        Assert.True(id.Matches(key));
        Assert.Null(PeerId.Parse(SpecVectors.Sha256Base58).TryGetPublicKey());
    }

    [Fact]
    public void Key_longer_than_42_bytes_is_hashed_with_sha2_256()
    {
        // The ECDSA vector's key protobuf is 93 bytes; its id is parsed, since ECDSA keys are not implemented.
        var id = PeerId.Parse(SpecVectors.EcdsaVectorPeerId);
        Assert.Equal(34, id.Bytes.Length);
        Assert.Equal(0x12, id.Bytes.Span[0]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SpecVectors.EcdsaPublicKey)),
            Convert.ToHexStringLower(id.Bytes.Span[2..]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12D3KooW")]                                                     // truncated multihash
    [InlineData("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5S0")]         // '0' is not base58
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5")]                // digest too short
    [InlineData("bafybeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")]   // codec dag-pb, not libp2p-key
    [InlineData("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqx")]   // truncated CID
    [InlineData("xyz")]                                                          // no known prefix
    [InlineData("bAFZbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")]   // mixed case base32
    public void Text_that_is_not_a_peer_id_is_refused(string text)
    {
        Assert.False(PeerId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => PeerId.Parse(text));
    }

    [Fact]
    public void Multihash_bytes_with_wrong_code_or_length_are_refused()
    {
        Assert.False(PeerId.TryFromBytes([0x12, 0x20, .. new byte[31]], out _));     // sha2-256 digest short
        Assert.False(PeerId.TryFromBytes([0x13, 0x20, .. new byte[32]], out _));     // unknown hash code
        Assert.False(PeerId.TryFromBytes([0x00, 43, .. new byte[43]], out _));       // identity longer than 42
        Assert.False(PeerId.TryFromBytes([0x00, 0x80, 0x00], out _));                // non-minimal varint
        Assert.False(PeerId.TryFromBytes([], out _));
        Assert.Throws<FormatException>(() => PeerId.FromBytes([0x12]));
    }

    [Fact]
    public void Random_text_and_bytes_never_crash_the_parsers()
    {
        var random = new Random(99);
        const string chars = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/=bBzQm";
        for (int i = 0; i < 20_000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 70)).Select(_ => chars[random.Next(chars.Length)]).ToArray());
            if (PeerId.TryParse(text, out PeerId? id))
            {
                Assert.Equal(id, PeerId.Parse(id.ToString()));
            }
            var bytes = new byte[random.Next(0, 50)];
            random.NextBytes(bytes);
            if (PeerId.TryFromBytes(bytes, out PeerId? fromBytes))
            {
                Assert.Equal(bytes, fromBytes.ToBytes());
            }
        }
        Assert.False(PeerId.TryParse(new string('1', 100_000), out _));
    }
}
