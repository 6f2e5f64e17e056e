using Nnrp.Core.Keys;

namespace Nnrp.Core.Notifications;

/// <summary>
/// A validated fetch (NNRP.md §11.5): every notification whose tag starts with
/// <see cref="PrefixBytes"/> (<see cref="PrefixBits"/> bits; 256 = one exact tag) and whose
/// timestamp ≥ <see cref="Since"/>, at most <see cref="Limit"/> per page, after <see cref="Cursor"/>.
/// </summary>
public sealed record FetchQuery
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 500;

    /// <summary>Page size when the request says 0.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Cursors are opaque to clients but bounded.</summary>
    public const int MaxCursorSize = 64;

    /// <summary>
    /// NNRP.md §11.5: the widest prefix a node serves by default on both doors (/nnrp/1.0 and
    /// HTTP GET /v1/notifications). Narrower than this, one query would page through a 256th of
    /// the store or more (0 bits: all of it), so it is refused (OVER_CAPACITY / 400 over_capacity).
    /// </summary>
    public const int MinServedPrefixBits = 8;

    /// <summary>Prefix bits of an exact-tag fetch.</summary>
    public const int ExactBits = 256;

    private FetchQuery(byte[] prefix, int prefixBits, ulong since, int limit, byte[] cursor)
    {
        PrefixBytes = prefix;
        PrefixBits = prefixBits;
        Since = since;
        Limit = limit;
        Cursor = cursor;
    }

    /// <summary>The tag prefix, ceil(bits/8) bytes.</summary>
    public ReadOnlyMemory<byte> PrefixBytes { get; }

    /// <summary>Bits of the prefix that must match (0 = every tag, 256 = one tag).</summary>
    public int PrefixBits { get; }

    /// <summary>Oldest timestamp wanted.</summary>
    public ulong Since { get; }

    /// <summary>Page size, 1..500.</summary>
    public int Limit { get; }

    /// <summary>Opaque position from the previous page's next_cursor; empty = first page.</summary>
    public ReadOnlyMemory<byte> Cursor { get; }

    /// <summary>The exact tag, when <see cref="PrefixBits"/> is 256.</summary>
    public RecipientTag? ExactTag => PrefixBits == ExactBits ? RecipientTag.FromBytes(PrefixBytes.Span) : null;

    /// <summary>True when <paramref name="tag"/> is in the queried range.</summary>
    public bool Matches(RecipientTag tag) => tag.HasPrefix(PrefixBytes.Span, PrefixBits);

    /// <summary>A query for one tag.</summary>
    public static FetchQuery ForTag(RecipientTag tag, ulong since = 0, int limit = DefaultLimit, ReadOnlyMemory<byte> cursor = default) =>
        Create(tag.ToArray(), ExactBits, since, limit, cursor.Span);

    /// <summary>A query for a tag prefix of <paramref name="bits"/> bits (256: one exact tag), validated as <see cref="FromProto"/> validates a request.</summary>
    /// <exception cref="NnrpFormatException">a limit is broken (answer BAD_FORM).</exception>
    public static FetchQuery ForPrefix(ReadOnlySpan<byte> prefix, int bits, ulong since = 0, int limit = DefaultLimit, ReadOnlySpan<byte> cursor = default) =>
        Create(prefix, bits, since, limit, cursor);

    /// <summary>Validates a request.</summary>
    /// <exception cref="NnrpFormatException">a limit is broken (answer BAD_FORM).</exception>
    public static FetchQuery FromProto(Protocol.FetchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.TargetCase switch
        {
            Protocol.FetchRequest.TargetOneofCase.RecipientTag => Create(request.RecipientTag.Span, ExactBits, request.Since, (int)Math.Min(request.Limit, int.MaxValue), request.Cursor.Span),
            Protocol.FetchRequest.TargetOneofCase.TagPrefix => Create(request.TagPrefix.Prefix.Span, (int)Math.Min(request.TagPrefix.Bits, int.MaxValue), request.Since, (int)Math.Min(request.Limit, int.MaxValue), request.Cursor.Span),
            _ => throw new NnrpFormatException("a fetch names a recipient_tag or a tag_prefix"),
        };
    }

    private static FetchQuery Create(ReadOnlySpan<byte> prefix, int bits, ulong since, int limit, ReadOnlySpan<byte> cursor)
    {
        if (bits is < 0 or > ExactBits)
        {
            throw new NnrpFormatException($"prefix bits must be 0..{ExactBits}, not {bits}");
        }
        int bytes = (bits + 7) / 8;
        if (prefix.Length != bytes)
        {
            throw new NnrpFormatException(bits == ExactBits
                ? $"recipient_tag must be 32 bytes, not {prefix.Length}"
                : $"a {bits}-bit prefix is {bytes} bytes, not {prefix.Length}");
        }
        if (bits % 8 != 0 && (prefix[^1] & (0xff >> (bits % 8))) != 0)
        {
            throw new NnrpFormatException("the unused low bits of a tag prefix must be zero");
        }
        if (limit is < 0 or > MaxLimit)
        {
            throw new NnrpFormatException($"limit must be 0..{MaxLimit} (0 = {DefaultLimit})");
        }
        if (cursor.Length > MaxCursorSize)
        {
            throw new NnrpFormatException($"a cursor is at most {MaxCursorSize} bytes");
        }
        return new FetchQuery(prefix.ToArray(), bits, since, limit == 0 ? DefaultLimit : limit, cursor.ToArray());
    }
}
