using System.Security.Cryptography;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Identity;

/// <summary>peer-ids.md "Key Types": how each supported type signs and verifies.</summary>
public class SignatureTests
{
    [Fact]
    public void Ed25519_signature_verifies_and_any_change_breaks_it()
    {
        using var pair = KeyPair.Generate();
        byte[] data = "noise-libp2p-static-key:example"u8.ToArray();
        byte[] signature = pair.Sign(data);
        Assert.Equal(64, signature.Length);
        Assert.True(pair.PublicKey.Verify(data, signature));

        signature[10] ^= 1;
        Assert.False(pair.PublicKey.Verify(data, signature));
        Assert.False(pair.PublicKey.Verify(data, signature.AsSpan(1)));
        Assert.False(pair.PublicKey.Verify(data, []));
    }

    [Fact]
    public void Ed25519_rfc8032_test_1_seed_gives_its_public_key()
    {
        using var pair = KeyPair.FromSeed(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(pair.PublicKey.Raw.Span));
        Assert.Equal(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(pair.Sign([])));
    }

    [Fact]
    public void Secp256k1_DER_signature_over_sha256_verifies_when_the_platform_has_the_curve()
    {
        ECDsa signer;
        try
        {
            signer = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp256k1"));
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            var unsupported = PublicKey.FromProtobuf(SpecVectors.Secp256k1PublicKey);
            Assert.Throws<UnsupportedKeyTypeException>(() => unsupported.Verify([1], [2]));
            return;
        }
        using (signer)
        {
            ECParameters p = signer.ExportParameters(false);
            byte[] compressed = [(byte)((p.Q.Y![^1] & 1) == 0 ? 0x02 : 0x03), .. p.Q.X!];
            var key = new Secp256k1PublicKey(compressed);
            byte[] data = "hello secp256k1"u8.ToArray();
            byte[] signature = signer.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

            Assert.True(key.Verify(data, signature));
            Assert.False(key.Verify("hello secp256k2"u8, signature));
            Assert.False(key.Verify(data, signature.AsSpan(0, 10)));
        }
    }
}
