using Nnrp.Core.Hashing;

namespace Nnrp.Core.Codecs;

/// <summary>
/// Nano account addresses (<c>nano_</c> / legacy <c>xrb_</c>): 52 characters of the
/// leading-padded public key, then 8 characters of a 5-byte BLAKE2b checksum of the key,
/// byte-reversed (nano-node <c>nano/lib/numbers.cpp</c>, <c>account::encode_account</c>).
/// NanoNym stealth payments land on such accounts.
/// </summary>
public static class NanoAccount
{
    /// <summary>Preferred prefix.</summary>
    public const string Prefix = "nano_";

    /// <summary>Prefix of addresses written before 2019, still accepted.</summary>
    public const string LegacyPrefix = "xrb_";

    /// <summary>Characters after the prefix: 52 key + 8 checksum.</summary>
    public const int BodyLength = 60;

    /// <summary>The <c>nano_</c> address of a 32-byte public key.</summary>
    public static string Encode(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 32)
        {
            throw new NnrpFormatException($"a Nano public key is 32 bytes, not {publicKey.Length}");
        }
        Span<byte> check = stackalloc byte[5];
        Checksum(publicKey, check);
        return Prefix + NanoBase32.EncodeLeading(publicKey) + NanoBase32.EncodeLeading(check);
    }

    /// <summary>The public key of a <c>nano_</c> or <c>xrb_</c> address, checksum verified.</summary>
    public static byte[] Decode(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        ReadOnlySpan<char> body = address.StartsWith(Prefix, StringComparison.Ordinal) ? address.AsSpan(Prefix.Length)
            : address.StartsWith(LegacyPrefix, StringComparison.Ordinal) ? address.AsSpan(LegacyPrefix.Length)
            : throw new NnrpFormatException("a Nano account starts with nano_ or xrb_");
        if (body.Length != BodyLength)
        {
            throw new NnrpFormatException($"a Nano account has {BodyLength} characters after the prefix, not {body.Length}");
        }
        var key = new byte[32];
        Span<byte> check = stackalloc byte[5];
        if (!NanoBase32.TryDecodeLeading(body[..52], key) || !NanoBase32.TryDecodeLeading(body[52..], check))
        {
            throw new NnrpFormatException("a Nano account uses the Nano base32 alphabet only");
        }
        Span<byte> expected = stackalloc byte[5];
        Checksum(key, expected);
        if (!expected.SequenceEqual(check))
        {
            throw new NnrpFormatException("Nano account checksum does not match");
        }
        return key;
    }

    private static void Checksum(ReadOnlySpan<byte> publicKey, Span<byte> check)
    {
        Blake2b.Hash(publicKey, check);
        check.Reverse();
    }
}
