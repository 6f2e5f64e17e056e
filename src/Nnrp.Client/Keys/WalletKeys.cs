using System.Security.Cryptography;
using Nnrp.Core;
using Nnrp.Core.Keys;

namespace Nnrp.Client.Keys;

/// <summary>
/// Where a wallet's notification key comes from: fresh randomness (a stand-alone key) or the
/// wallet seed and a NanoNym index (NNRP.md §9), so a restore from the seed alone finds every
/// notification again.
/// </summary>
public static class WalletKeys
{
    /// <summary>A new random X25519 notification key pair.</summary>
    public static NotificationKeyPair Generate()
    {
        Span<byte> secret = stackalloc byte[NotificationKeys.KeySize];
        RandomNumberGenerator.Fill(secret);
        try
        {
            return NotificationKeyPair.FromPrivateKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// The notification key pair number <paramref name="index"/> of a seed written in hex
    /// (a 32-byte Nano seed is 64 hex digits; 16–64 bytes are accepted, §9).
    /// </summary>
    /// <exception cref="NnrpFormatException">the seed is not hex or has the wrong length.</exception>
    public static NotificationKeyPair FromSeed(string seedHex, uint index)
    {
        ArgumentNullException.ThrowIfNull(seedHex);
        string text = seedHex.Trim();
        if (text.Length % 2 != 0 || text.Length < NotificationKeys.MinSeedSize * 2 || text.Length > NotificationKeys.MaxSeedSize * 2)
        {
            throw new NnrpFormatException(
                $"a seed is {NotificationKeys.MinSeedSize}..{NotificationKeys.MaxSeedSize} bytes of hex ({NotificationKeys.MinSeedSize * 2}..{NotificationKeys.MaxSeedSize * 2} digits; a Nano seed is 64)");
        }
        byte[] seed = Core.Codecs.Hex.Decode(text, text.Length / 2, "the seed");
        try
        {
            return NotificationKeys.Derive(seed, index);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
