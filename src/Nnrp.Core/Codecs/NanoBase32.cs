namespace Nnrp.Core.Codecs;

/// <summary>
/// Nano's base32 alphabet <c>13456789abcdefghijkmnopqrstuwxyz</c> (no 0, 2, l, v), most
/// significant bit first, in the two paddings NNRP meets:
/// <list type="bullet">
/// <item><b>Leading</b> (<see cref="EncodeLeading"/>): zero bits are prepended so the bit count
/// is a multiple of 5, as Nano writes account keys: 32 bytes → 4 zero bits + 256 bits = 52
/// characters whose first is always '1' or '3'. Used for <c>nr_</c> hashes and <c>nnrp:</c> keys.</item>
/// <item><b>Trailing</b> (<see cref="EncodeTrailing"/>): zero bits are appended, as the NanoNym
/// reference (<c>@nanomyms/protocol</c>) writes <c>nnym_</c> bodies.</item>
/// </list>
/// Decoders accept upper or lower case, require the padding bits to be zero (one spelling
/// per value) and the exact length for the expected byte count.
/// </summary>
public static class NanoBase32
{
    /// <summary>The 32 symbols, value order.</summary>
    public const string Alphabet = "13456789abcdefghijkmnopqrstuwxyz";

    private static readonly sbyte[] Values = BuildValues();

    /// <summary>Characters for <paramref name="byteCount"/> bytes (same for both paddings).</summary>
    public static int EncodedLength(int byteCount) => ((byteCount * 8) + 4) / 5;

    /// <summary>Encodes with leading zero padding (Nano account style).</summary>
    public static string EncodeLeading(ReadOnlySpan<byte> data)
    {
        int chars = EncodedLength(data.Length);
        int pad = (chars * 5) - (data.Length * 8);
        return string.Create(chars, (data.ToArray(), pad), static (span, state) =>
        {
            var (bytes, padBits) = state;
            // Bit i of the padded stream is data bit (i − padBits); bits before 0 are zero.
            for (int c = 0; c < span.Length; c++)
            {
                int value = 0;
                for (int b = 0; b < 5; b++)
                {
                    int bit = (c * 5) + b - padBits;
                    value = (value << 1) | (bit < 0 ? 0 : (bytes[bit >> 3] >> (7 - (bit & 7))) & 1);
                }
                span[c] = Alphabet[value];
            }
        });
    }

    /// <summary>Encodes with trailing zero padding (NanoNym reference style).</summary>
    public static string EncodeTrailing(ReadOnlySpan<byte> data)
    {
        int chars = EncodedLength(data.Length);
        return string.Create(chars, data.ToArray(), static (span, bytes) =>
        {
            int totalBits = bytes.Length * 8;
            for (int c = 0; c < span.Length; c++)
            {
                int value = 0;
                for (int b = 0; b < 5; b++)
                {
                    int bit = (c * 5) + b;
                    value = (value << 1) | (bit >= totalBits ? 0 : (bytes[bit >> 3] >> (7 - (bit & 7))) & 1);
                }
                span[c] = Alphabet[value];
            }
        });
    }

    /// <summary>Decodes a leading-padded value of exactly <c>destination.Length</c> bytes.</summary>
    public static bool TryDecodeLeading(ReadOnlySpan<char> text, Span<byte> destination)
    {
        int chars = EncodedLength(destination.Length);
        if (text.Length != chars)
        {
            return false;
        }
        int pad = (chars * 5) - (destination.Length * 8);
        destination.Clear();
        for (int c = 0; c < chars; c++)
        {
            int value = ValueOf(text[c]);
            if (value < 0)
            {
                return false;
            }
            for (int b = 0; b < 5; b++)
            {
                int bit = (c * 5) + b - pad;
                int set = (value >> (4 - b)) & 1;
                if (bit < 0)
                {
                    if (set != 0)
                    {
                        return false; // non-zero padding: not the canonical spelling
                    }
                    continue;
                }
                destination[bit >> 3] |= (byte)(set << (7 - (bit & 7)));
            }
        }
        return true;
    }

    /// <summary>Decodes a trailing-padded value; the byte count is <c>text.Length × 5 / 8</c>.</summary>
    public static bool TryDecodeTrailing(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = text.Length * 5 / 8;
        if (destination.Length < written || EncodedLength(written) != text.Length)
        {
            written = 0;
            return false;
        }
        Span<byte> output = destination[..written];
        output.Clear();
        int totalBits = written * 8;
        for (int c = 0; c < text.Length; c++)
        {
            int value = ValueOf(text[c]);
            if (value < 0)
            {
                written = 0;
                return false;
            }
            for (int b = 0; b < 5; b++)
            {
                int bit = (c * 5) + b;
                int set = (value >> (4 - b)) & 1;
                if (bit >= totalBits)
                {
                    if (set != 0)
                    {
                        written = 0;
                        return false;
                    }
                    continue;
                }
                output[bit >> 3] |= (byte)(set << (7 - (bit & 7)));
            }
        }
        return true;
    }

    private static int ValueOf(char c) => c < 128 ? Values[c] : -1;

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            values[Alphabet[i]] = (sbyte)i;
            values[char.ToUpperInvariant(Alphabet[i])] = (sbyte)i;
        }
        return values;
    }
}
