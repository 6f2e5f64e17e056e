namespace Nnrp.Libp2p.Encoding;

/// <summary>
/// RFC 4648 base32, lower case, no padding: multibase 'b', the form of CIDv1 strings
/// (e.g. a peer id as <c>bafzaa…</c>). Decoding accepts either case, never padding.
/// </summary>
public static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        int length = (data.Length * 8 + 4) / 5;
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        int bits = 0, buffer = 0, o = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[o++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            chars[o++] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        return new string(chars[..o]);
    }

    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] data)
    {
        data = new byte[text.Length * 5 / 8];
        int bits = 0, buffer = 0, o = 0;
        foreach (char c in text)
        {
            int v = c switch
            {
                >= 'a' and <= 'z' => c - 'a',
                >= 'A' and <= 'Z' => c - 'A',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };
            if (v < 0)
            {
                data = [];
                return false;
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                data[o++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        // Leftover bits must be zero padding of the last character (canonical form).
        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0)
        {
            data = [];
            return false;
        }
        return true;
    }
}
