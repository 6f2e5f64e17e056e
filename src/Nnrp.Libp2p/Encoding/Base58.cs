using System.Numerics;

namespace Nnrp.Libp2p.Encoding;

/// <summary>
/// Bitcoin-alphabet base58 (multibase 'z', the legacy peer-id text form). Each leading zero
/// byte maps to one leading '1'. Inputs here are short (peer ids, ≤ 64 bytes), so the
/// quadratic big-number conversion is cheap and simple to get right.
/// </summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Longest text we decode: peer ids and multihashes are far shorter.</summary>
    public const int MaxEncodedLength = 1024;

    private static readonly sbyte[] Index = BuildIndex();

    private static sbyte[] BuildIndex()
    {
        var index = new sbyte[128];
        Array.Fill(index, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            index[Alphabet[i]] = (sbyte)i;
        }
        return index;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }
        // log(256)/log(58) ≈ 1.366 digits per byte.
        var digits = new byte[(data.Length - zeros) * 138 / 100 + 1];
        int length = 0;
        for (int i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            for (int j = 0; j < length; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }
            while (carry > 0)
            {
                digits[length++] = (byte)(carry % 58);
                carry /= 58;
            }
        }
        return string.Create(zeros + length, (digits, zeros, length), static (chars, s) =>
        {
            chars[..s.zeros].Fill('1');
            for (int k = 0; k < s.length; k++)
            {
                chars[s.zeros + k] = Alphabet[s.digits[s.length - 1 - k]];
            }
        });
    }

    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] data)
    {
        data = [];
        if (text.Length > MaxEncodedLength)
        {
            return false;
        }
        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }
        // log(58)/log(256) ≈ 0.733 bytes per digit.
        var bytes = new byte[(text.Length - zeros) * 733 / 1000 + 1];
        int length = 0;
        for (int i = zeros; i < text.Length; i++)
        {
            char c = text[i];
            int digit = c < 128 ? Index[c] : -1;
            if (digit < 0)
            {
                return false;
            }
            int carry = digit;
            for (int j = 0; j < length; j++)
            {
                carry += bytes[j] * 58;
                bytes[j] = (byte)carry;
                carry >>= 8;
            }
            while (carry > 0)
            {
                bytes[length++] = (byte)carry;
                carry >>= 8;
            }
        }
        data = new byte[zeros + length];
        for (int k = 0; k < length; k++)
        {
            data[zeros + k] = bytes[length - 1 - k];
        }
        return true;
    }

    public static byte[] Decode(ReadOnlySpan<char> text) =>
        TryDecode(text, out byte[] data) ? data : throw new FormatException("not valid base58btc text");
}
