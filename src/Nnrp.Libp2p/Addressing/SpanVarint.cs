using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// Varint reads for the multiaddr decoders, which answer with an error text instead of
/// throwing so that <c>TryParse</c>/<c>TryFromBytes</c> stay exception-free on garbage.
/// </summary>
internal static class SpanVarint
{
    /// <summary>Returns null on success, else why <paramref name="what"/> could not be read.</summary>
    public static string? TryRead(ReadOnlySpan<byte> source, string what, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        // Varint.TryRead throws only for a varint longer than 9 bytes or one with a
        // trailing zero group; check both here so no exception is raised for them.
        int end = source.IndexOfAnyInRange((byte)0, (byte)0x7F) + 1;
        if (end == 0)
        {
            return source.Length >= Varint.MaxLength
                ? $"{what}: varint longer than {Varint.MaxLength} bytes"
                : $"{what}: truncated varint";
        }
        if (end > Varint.MaxLength)
        {
            return $"{what}: varint longer than {Varint.MaxLength} bytes";
        }
        if (end > 1 && source[end - 1] == 0)
        {
            return $"{what}: varint is not minimally encoded";
        }
        Varint.TryRead(source[..end], out value, out consumed);
        return null;
    }
}
