using System.Security.Cryptography;
using Nnrp.Libp2p.Noise;

namespace Nnrp.Libp2p.Tests.Noise;

/// <summary>Noise §5.1 CipherState: the platform AEAD and NSec are the same function.</summary>
public class CipherStateTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 15, 16, 17, 1000, NoiseFrame.MaxPlaintextLength };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Platform_and_NSec_ChaCha20Poly1305_give_identical_ciphertext_and_open_each_other(int length)
    {
        // Linux and Windows always have it (OpenSSL / CNG); elsewhere NSec is the only path.
        Assert.True(ChaCha20Poly1305.IsSupported || !(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()));
        if (!ChaCha20Poly1305.IsSupported)
        {
            return;
        }
        byte[] key = RandomNumberGenerator.GetBytes(CipherState.KeyLength);
        byte[] ad = RandomNumberGenerator.GetBytes(32);
        byte[] plaintext = RandomNumberGenerator.GetBytes(length);
        using var platform = new CipherState(preferPlatform: true);
        using var nsec = new CipherState(preferPlatform: false);
        platform.InitializeKey(key);
        nsec.InitializeKey(key);
        Assert.True(platform.UsesPlatformAead);
        Assert.False(nsec.UsesPlatformAead);

        for (int i = 0; i < 3; i++)
        {
            byte[] a = new byte[length + CipherState.TagLength];
            byte[] b = new byte[length + CipherState.TagLength];
            platform.Encrypt(ad, plaintext, a);
            nsec.Encrypt(ad, plaintext, b);
            Assert.Equal(b, a);
        }

        using var platformReader = new CipherState(preferPlatform: true);
        using var nsecReader = new CipherState(preferPlatform: false);
        platformReader.InitializeKey(key);
        nsecReader.InitializeKey(key);
        byte[] sealedByNsec = new byte[length + CipherState.TagLength];
        using (var writer = new CipherState(preferPlatform: false))
        {
            writer.InitializeKey(key);
            writer.Encrypt(ad, plaintext, sealedByNsec);
        }
        byte[] opened = new byte[length];
        Assert.True(platformReader.Decrypt(ad, sealedByNsec, opened));
        Assert.Equal(plaintext, opened);
        Assert.True(nsecReader.Decrypt(ad, sealedByNsec, opened));
        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_flipped_bit_fails_authentication_and_keeps_the_nonce(bool platform)
    {
        byte[] key = RandomNumberGenerator.GetBytes(CipherState.KeyLength);
        using var writer = new CipherState(platform);
        using var reader = new CipherState(platform);
        writer.InitializeKey(key);
        reader.InitializeKey(key);
        byte[] sealedText = new byte[100 + CipherState.TagLength];
        writer.Encrypt([], new byte[100], sealedText);
        sealedText[7] ^= 1;

        Assert.False(reader.Decrypt([], sealedText, new byte[100]));
        Assert.Equal(0UL, reader.Nonce);
        if (platform)
        {
            Assert.False(reader.Decrypt([], new byte[CipherState.TagLength - 1], []));
        }
    }
}
