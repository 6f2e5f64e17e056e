using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Identity;

/// <summary>peer-ids.md "Keys": the protobuf encoding, its determinism and the key types.</summary>
public class KeyEncodingTests
{
    [Fact]
    public void Ed25519_public_key_vector_decodes_and_reencodes_to_the_same_bytes()
    {
        var key = PublicKey.FromProtobuf(SpecVectors.Ed25519PublicKey);
        Assert.IsType<Ed25519PublicKey>(key);
        Assert.Equal(KeyType.Ed25519, key.Type);
        Assert.Equal(32, key.Raw.Length);
        Assert.Equal(SpecVectors.Ed25519PublicKey, key.ToProtobuf());
    }

    [Fact]
    public void Ed25519_private_key_vector_yields_the_matching_public_key_vector()
    {
        using var pair = KeyPair.FromPrivateKeyProtobuf(SpecVectors.Ed25519PrivateKey);
        Assert.Equal(SpecVectors.Ed25519PublicKey, pair.PublicKey.ToProtobuf());
        Assert.Equal(SpecVectors.Ed25519PrivateKey, pair.ToPrivateKeyProtobuf());
    }

    [Fact]
    public void Legacy_96_byte_Ed25519_private_key_is_accepted_when_both_public_copies_agree()
    {
        byte[] legacy = [0x08, 0x01, 0x12, 0x60, .. SpecVectors.Ed25519PrivateKey.AsSpan(4), .. SpecVectors.Ed25519PrivateKey.AsSpan(36)];
        using var pair = KeyPair.FromPrivateKeyProtobuf(legacy);
        Assert.Equal(SpecVectors.Ed25519PublicKey, pair.PublicKey.ToProtobuf());

        legacy[^1] ^= 1;
        Assert.Throws<ProtocolViolationException>(() => KeyPair.FromPrivateKeyProtobuf(legacy));
    }

    [Fact]
    public void Private_key_whose_public_half_does_not_match_its_seed_is_rejected()
    {
        byte[] bad = (byte[])SpecVectors.Ed25519PrivateKey.Clone();
        bad[^1] ^= 1;
        Assert.Throws<ProtocolViolationException>(() => KeyPair.FromPrivateKeyProtobuf(bad));
    }

    [Fact]
    public void Secp256k1_public_key_vector_decodes_and_reencodes_to_the_same_bytes()
    {
        var key = PublicKey.FromProtobuf(SpecVectors.Secp256k1PublicKey);
        Assert.IsType<Secp256k1PublicKey>(key);
        Assert.Equal(33, key.Raw.Length);
        Assert.Equal(SpecVectors.Secp256k1PublicKey, key.ToProtobuf());
    }

    [Fact]
    public void Secp256k1_point_not_on_the_curve_is_rejected()
    {
        // x = 5: 5³ + 7 = 132 is not a square mod p.
        byte[] raw = new byte[33];
        raw[0] = 0x02;
        raw[32] = 5;
        Assert.Throws<ProtocolViolationException>(() => new Secp256k1PublicKey(raw));
    }

    [Fact]
    public void Rsa_and_Ecdsa_keys_are_refused_as_unsupported_key_types()
    {
        var ecdsa = Assert.Throws<UnsupportedKeyTypeException>(() => PublicKey.FromProtobuf(SpecVectors.EcdsaPublicKey));
        Assert.Equal(KeyType.Ecdsa, ecdsa.Type);
        byte[] rsa = [.. SpecVectors.RsaPublicKeyPrefix, .. new byte[0x226]];
        Assert.Equal(KeyType.Rsa, Assert.Throws<UnsupportedKeyTypeException>(() => PublicKey.FromProtobuf(rsa)).Type);
        Assert.Throws<UnsupportedKeyTypeException>(() => KeyPair.FromPrivateKeyProtobuf(SpecVectors.Secp256k1PrivateKey));
    }

    [Theory]
    [InlineData("")]                    // no fields
    [InlineData("0801")]                // Type only
    [InlineData("12020102")]            // Data only
    [InlineData("0809120100")]          // unknown key type 9
    [InlineData("08011203010203")]      // Ed25519 of 3 bytes
    [InlineData("080112")]              // truncated
    [InlineData("08011280")]            // truncated length varint
    [InlineData("ffffffff")]            // not protobuf
    public void Malformed_public_key_protobuf_is_a_protocol_violation(string hex)
    {
        Assert.ThrowsAny<ProtocolViolationException>(() => PublicKey.FromProtobuf(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Random_truncated_and_oversized_key_bytes_fail_only_with_protocol_violations()
    {
        var random = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            switch (i % 3)
            {
                case 0:
                    bytes = new byte[random.Next(0, 80)];
                    random.NextBytes(bytes);
                    break;
                case 1:
                    bytes = SpecVectors.Ed25519PublicKey[..random.Next(0, SpecVectors.Ed25519PublicKey.Length)];
                    break;
                default:
                    bytes = (byte[])SpecVectors.Secp256k1PublicKey.Clone();
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    break;
            }
            try
            {
                var key = PublicKey.FromProtobuf(bytes);
                Assert.True(key.Type is KeyType.Ed25519 or KeyType.Secp256k1);
            }
            catch (ProtocolViolationException)
            {
            }
        }
        Assert.ThrowsAny<ProtocolViolationException>(() => PublicKey.FromProtobuf(new byte[1 << 20]));
    }

    [Fact]
    public void Equal_keys_are_equal_and_hash_alike()
    {
        var a = PublicKey.FromProtobuf(SpecVectors.Ed25519PublicKey);
        var b = PublicKey.FromProtobuf(SpecVectors.Ed25519PublicKey);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, PublicKey.FromProtobuf(SpecVectors.Secp256k1PublicKey));
    }
}
