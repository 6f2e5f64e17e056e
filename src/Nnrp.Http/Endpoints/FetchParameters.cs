using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Nnrp.Core.Notifications;
using Nnrp.Http.OpenApi;

namespace Nnrp.Http.Endpoints;

/// <summary>
/// The query of <c>GET /v1/notifications</c> (NNRP.md §12) as it arrives: bound as text, so a
/// value that does not parse is a <c>bad_form</c> problem from <see cref="ToQuery"/>, never the
/// framework's bare 400. <c>tag</c> (64 hex) or <c>tag_prefix</c> (hex) with <c>prefix_bits</c>
/// (default: 4 per hex digit); <c>since</c>, <c>limit</c>, <c>cursor</c> (base64url) — the
/// §11.5 fields, checked by <see cref="FetchQuery"/> as for /nnrp/1.0.
/// </summary>
internal sealed record FetchParameters(string? Tag, string? TagPrefix, string? PrefixBits, string? Since, string? Limit, string? Cursor)
{
    /// <summary>A cursor of <see cref="FetchQuery.MaxCursorSize"/> bytes in unpadded base64url.</summary>
    private const int MaxCursorChars = (FetchQuery.MaxCursorSize * 4 + 2) / 3;

    /// <exception cref="FormatException">a value does not parse, or both or neither of tag and tag_prefix are given.</exception>
    /// <exception cref="OverflowException">a number is out of its type's range.</exception>
    /// <exception cref="Nnrp.Core.NnrpException">a §11.5 limit is broken.</exception>
    public FetchQuery ToQuery()
    {
        if (Tag is not null == TagPrefix is not null)
        {
            throw new FormatException("give exactly one of tag and tag_prefix");
        }
        ulong since = Since is { Length: > 0 } s ? ulong.Parse(s, CultureInfo.InvariantCulture) : 0;
        int limit = Limit is { Length: > 0 } l ? (int)Math.Min(uint.Parse(l, CultureInfo.InvariantCulture), int.MaxValue) : 0;
        byte[] cursor = Cursor is { Length: > 0 } c ? FromBase64Url(c) : [];
        if (Tag is not null)
        {
            return FetchQuery.ForPrefix(Convert.FromHexString(Tag), FetchQuery.ExactBits, since, limit, cursor);
        }
        int bits = PrefixBits is { Length: > 0 } b ? (int)Math.Min(uint.Parse(b, CultureInfo.InvariantCulture), int.MaxValue) : TagPrefix!.Length * 4;
        return FetchQuery.ForPrefix(Convert.FromHexString(TagPrefix!), bits, since, limit, cursor);
    }

    /// <summary>The cursor's text form: base64url without padding (RFC 4648 §5).</summary>
    public static string ToBase64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    /// <summary>/openapi.json: the parameters' real types and ranges (they bind as text, see above).</summary>
    public static Task DescribeAsync(OpenApiOperation operation)
    {
        foreach (IOpenApiParameter parameter in operation.Parameters ?? [])
        {
            if (parameter is not OpenApiParameter p)
            {
                continue;
            }
            (p.Schema, p.Description) = p.Name switch
            {
                "tag" => (Text(WirePatterns.Hex32), "One recipient tag, 64 hex digits. Exactly one of tag and tag_prefix."),
                "tag_prefix" => (Text("^[0-9a-fA-F]{0,64}$"), "A tag prefix in hex, ⌈prefix_bits/8⌉ bytes, unused low bits zero."),
                "prefix_bits" => (Integer(0, FetchQuery.ExactBits, null),
                    $"Bits of tag_prefix that must match; default 4 per hex digit. Under the node's minimum ({FetchQuery.MinServedPrefixBits} on the reference node): 400 over_capacity with min_prefix_bits."),
                "since" => (Integer(0, null, 0), "Oldest timestamp wanted (unix seconds, u64)."),
                "limit" => (Integer(0, FetchQuery.MaxLimit, 0), $"Page size 1–{FetchQuery.MaxLimit}; 0 or absent means {FetchQuery.DefaultLimit}."),
                "cursor" => (Text(WirePatterns.Base64Url, MaxCursorChars), "next_cursor of the previous page, as given."),
                _ => (p.Schema, p.Description),
            };
        }
        return Task.CompletedTask;
    }

    private static OpenApiSchema Text(string pattern, int? maxLength = null) =>
        new() { Type = JsonSchemaType.String, Pattern = pattern, MaxLength = maxLength };

    private static OpenApiSchema Integer(long minimum, long? maximum, long? defaultValue) => new()
    {
        Type = JsonSchemaType.Integer,
        Minimum = minimum.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture),
        Default = defaultValue is { } d ? JsonValue.Create(d) : null,
    };
}
