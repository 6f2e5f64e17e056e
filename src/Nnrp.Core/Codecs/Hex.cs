using System.Buffers;

namespace Nnrp.Core.Codecs;

/// <summary>Strict hexadecimal for fixed-size fields: exact length, either case accepted, lowercase written.</summary>
public static class Hex
{
    /// <summary>Lowercase hex of <paramref name="bytes"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Decodes exactly <c>destination.Length × 2</c> hex digits into <paramref name="destination"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length != destination.Length * 2)
        {
            return false;
        }
        return Convert.FromHexString(text, destination, out _, out int written) == OperationStatus.Done
            && written == destination.Length;
    }

    /// <summary>Decodes exactly <paramref name="size"/> bytes of hex or throws an <see cref="NnrpFormatException"/> naming <paramref name="field"/>.</summary>
    public static byte[] Decode(ReadOnlySpan<char> text, int size, string field)
    {
        var bytes = new byte[size];
        if (!TryDecode(text, bytes))
        {
            throw new NnrpFormatException($"{field} must be exactly {size * 2} hex digits");
        }
        return bytes;
    }
}
