using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Nnrp.Libp2p.Encoding;

/// <summary>
/// Unsigned LEB128 varints as multiformats/unsigned-varint defines them: little-endian groups
/// of 7 bits, high bit set on every byte but the last, at most 9 bytes (63 bits), and the
/// minimal encoding only ("no trailing zero bytes").
/// </summary>
public static class Varint
{
    /// <summary>multiformats/unsigned-varint: "the maximum length of a varint is 9 bytes".</summary>
    public const int MaxLength = 9;

    public static int SizeOf(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>Writes <paramref name="value"/> and returns the number of bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static void Write(IBufferWriter<byte> writer, ulong value)
    {
        Span<byte> span = writer.GetSpan(MaxLength);
        writer.Advance(Write(span, value));
    }

    /// <summary>
    /// Reads one varint from a span. Returns false when the span ends before the varint does;
    /// throws <see cref="VarintFormatException"/> for an over-long or non-minimal encoding.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (i == MaxLength)
            {
                ThrowTooLong();
            }
            byte b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    ThrowNotMinimal();
                }
                consumed = i + 1;
                return true;
            }
        }
        if (source.Length >= MaxLength)
        {
            ThrowTooLong();
        }
        consumed = 0;
        value = 0;
        return false;
    }

    /// <summary>Reads one varint from a sequence reader; on false the reader has not moved.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out ulong value)
    {
        if (reader.UnreadSpan.Length >= MaxLength || reader.UnreadSpan.Length == reader.Remaining)
        {
            if (TryRead(reader.UnreadSpan, out value, out int consumed))
            {
                reader.Advance(consumed);
                return true;
            }
            return false;
        }
        Span<byte> scratch = stackalloc byte[MaxLength];
        int available = (int)Math.Min(MaxLength, reader.Remaining);
        reader.TryCopyTo(scratch[..available]);
        if (TryRead(scratch[..available], out value, out int used))
        {
            reader.Advance(used);
            return true;
        }
        return false;
    }

    [DoesNotReturn]
    private static void ThrowTooLong() =>
        throw new VarintFormatException($"varint longer than {MaxLength} bytes");

    [DoesNotReturn]
    private static void ThrowNotMinimal() =>
        throw new VarintFormatException("varint is not minimally encoded");
}

public sealed class VarintFormatException(string message) : ProtocolViolationException(message);
