using System.Text;
using Nnrp.Core.Sealing;

namespace Nnrp.Core.Tests.Sealing;

/// <summary>RFC 9180 Appendix A.2 (A.2.1 base setup, A.2.1.1 sequence 0, A.2.1.2 exports).</summary>
public class HpkeRfc9180Tests
{
    private static readonly byte[] IkmE = Convert.FromHexString("909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b");
    private static readonly byte[] SkEm = Convert.FromHexString("f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600");
    private static readonly byte[] PkEm = Convert.FromHexString("1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a");
    private static readonly byte[] IkmR = Convert.FromHexString("1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df");
    private static readonly byte[] SkRm = Convert.FromHexString("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb");
    private static readonly byte[] PkRm = Convert.FromHexString("4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a");
    private static readonly byte[] Info = Convert.FromHexString("4f6465206f6e2061204772656369616e2055726e"); // "Ode on a Grecian Urn"
    private static readonly byte[] Pt = Convert.FromHexString("4265617574792069732074727574682c20747275746820626561757479");
    private static readonly byte[] Aad0 = Convert.FromHexString("436f756e742d30"); // "Count-0"
    private static readonly byte[] Ct0 = Convert.FromHexString("1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28");

    [Fact]
    public void DeriveKeyPair_gives_the_vector_private_keys()
    {
        Assert.Equal(SkEm, Hpke.DeriveKeyPair(IkmE));
        Assert.Equal(SkRm, Hpke.DeriveKeyPair(IkmR));
        Assert.Equal(PkRm, Core.Keys.NotificationKeys.PublicKeyOf(SkRm));
    }

    [Fact]
    public void Sender_key_schedule_matches_the_vector()
    {
        using HpkeContext ctx = Hpke.SetupBaseS(PkRm, Info, SkEm, out byte[] enc);
        Assert.Equal(PkEm, enc);
        Assert.Equal("ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91", Convert.ToHexStringLower(ctx.AeadKey));
        Assert.Equal("5c4d98150661b848853b547f", Convert.ToHexStringLower(ctx.BaseNonce));
        Assert.Equal("a3b010d4994890e2c6968a36f64470d3c824c8f5029942feb11e7a74b2921922", Convert.ToHexStringLower(ctx.ExporterSecret));
    }

    [Fact]
    public void Kem_shared_secret_matches_the_vector()
    {
        Span<byte> ss = stackalloc byte[32];
        // dh = X25519(skRm, pkEm); kem_context = enc ‖ pkRm. dh is checked through the secret.
        using HpkeContext _ = Hpke.SetupBaseR(PkEm, SkRm, Info);
        byte[] kemContext = [.. PkEm, .. PkRm];
        byte[] dh = X25519(SkRm, PkEm);
        Hpke.ExtractAndExpand(dh, kemContext, ss);
        Assert.Equal("0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7", Convert.ToHexStringLower(ss));
    }

    [Fact]
    public void Sequence_0_seal_and_open_match_the_vector()
    {
        using (HpkeContext sender = Hpke.SetupBaseS(PkRm, Info, SkEm, out _))
        {
            Assert.Equal(Ct0, sender.Seal(Aad0, Pt));
        }
        using HpkeContext receiver = Hpke.SetupBaseR(PkEm, SkRm, Info);
        Assert.Equal(Pt, receiver.Open(Aad0, Ct0));
    }

    [Theory]
    [InlineData("", "4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e")]
    [InlineData("00", "8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69")]
    [InlineData("54657374436f6e74657874", "5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53")]
    public void Exported_values_match_the_vector(string context, string expected)
    {
        using HpkeContext receiver = Hpke.SetupBaseR(PkEm, SkRm, Info);
        Assert.Equal(expected, Convert.ToHexStringLower(receiver.Export(Convert.FromHexString(context), 32)));
    }

    [Fact]
    public void Tampered_ciphertext_or_aad_does_not_open()
    {
        byte[] bad = (byte[])Ct0.Clone();
        bad[0] ^= 1;
        using (HpkeContext r1 = Hpke.SetupBaseR(PkEm, SkRm, Info))
        {
            Assert.Throws<SealingException>(() => r1.Open(Aad0, bad));
        }
        using HpkeContext r2 = Hpke.SetupBaseR(PkEm, SkRm, Info);
        Assert.Throws<SealingException>(() => r2.Open(Encoding.ASCII.GetBytes("Count-1"), Ct0));
    }

    [Fact]
    public void Small_order_public_key_is_refused()
    {
        // The all-zero point: X25519 with it yields the all-zero secret (RFC 9180 §7.1.4).
        Assert.Throws<SealingException>(() => Hpke.SetupBaseS(new byte[32], Info, out _));
        Assert.Throws<SealingException>(() => Hpke.SetupBaseR(new byte[32], SkRm, Info));
        Assert.Throws<SealingException>(() => Hpke.SetupBaseR(new byte[31], SkRm, Info));
    }

    private static byte[] X25519(byte[] sk, byte[] pk)
    {
        using var key = NSec.Cryptography.Key.Import(NSec.Cryptography.KeyAgreementAlgorithm.X25519, sk, NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
        var peer = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.KeyAgreementAlgorithm.X25519, pk, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        using var shared = NSec.Cryptography.KeyAgreementAlgorithm.X25519.Agree(key, peer,
            new NSec.Cryptography.SharedSecretCreationParameters { ExportPolicy = NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport })!;
        return shared.Export(NSec.Cryptography.SharedSecretBlobFormat.RawSharedSecret);
    }
}
