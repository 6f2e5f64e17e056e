using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Unicode;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// The value of one component in its three guises: text to bytes (parse), bytes checked
/// (binary decode) and bytes to text (print). Errors come back as text so the Try* entry
/// points never throw; the value bytes are always the canonical binary form.
/// </summary>
internal static class ComponentValue
{
    /// <summary>RFC 1035 §3.1: a domain name is at most 255 octets; zone ids and SNI are shorter.</summary>
    public const int MaxTextValueLength = 255;

    /// <summary>
    /// Parses <paramref name="text"/> into <paramref name="destination"/> (sized for the largest
    /// multiaddr). Returns null on success, else the reason.
    /// </summary>
    public static string? TryEncode(ProtocolInfo protocol, ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        switch (protocol.Kind)
        {
            case ValueKind.Ip4:
                if (!TryParseDottedQuad(text, destination))
                {
                    return $"'{text}' is not an IPv4 address (four decimal octets)";
                }
                written = 4;
                return null;
            case ValueKind.Ip6:
                // Zones travel in /ip6zone and brackets belong to URLs, so neither is allowed here.
                if (text.IndexOfAny('%', '[', ']') >= 0
                    || !IPAddress.TryParse(text, out IPAddress? ip)
                    || ip.AddressFamily != AddressFamily.InterNetworkV6)
                {
                    return $"'{text}' is not an IPv6 address";
                }
                ip.TryWriteBytes(destination, out written);
                return null;
            case ValueKind.Port:
                if (!TryParseDecimal(text, ushort.MaxValue, out uint port))
                {
                    return $"/{protocol.Name} port '{text}' is not a number in 0..65535";
                }
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)port);
                written = 2;
                return null;
            case ValueKind.PrefixLength:
                if (!TryParseDecimal(text, byte.MaxValue, out uint prefix))
                {
                    return $"/{protocol.Name} prefix length '{text}' is not a number in 0..255";
                }
                destination[0] = (byte)prefix;
                written = 1;
                return null;
            case ValueKind.Text:
            case ValueKind.Path:
                return TryEncodeText(protocol, text, destination, out written);
            case ValueKind.PeerId:
                return CopyOut(PeerIdText.TryDecode(text, out byte[] multihash), multihash, destination, out written);
            case ValueKind.Multihash:
                return CopyOut(TryDecodeMultibase(text, out byte[] hash) ?? Multihash.Validate(hash), hash, destination, out written);
            default:
                return $"/{protocol.Name} takes no value";
        }
    }

    /// <summary>Checks a value read from the binary form. Returns null when valid, else the reason.</summary>
    public static string? Validate(ProtocolInfo protocol, ReadOnlySpan<byte> value)
    {
        switch (protocol.Kind)
        {
            case ValueKind.Text:
                if (value.IsEmpty || value.Length > MaxTextValueLength)
                {
                    return $"/{protocol.Name} value must be 1..{MaxTextValueLength} bytes, got {value.Length}";
                }
                if (value.IndexOf((byte)'/') >= 0)
                {
                    return $"/{protocol.Name} value contains '/', which the text form cannot carry";
                }
                return Utf8.IsValid(value) ? null : $"/{protocol.Name} value is not valid UTF-8";
            case ValueKind.Path:
                // As go-multiaddr: the text form starts a path with '/' and trims a final '/',
                // so only such paths survive a round trip.
                if (value.Length < 2 || value[0] != (byte)'/' || value[^1] == (byte)'/')
                {
                    return $"/{protocol.Name} path must start with '/', not end with '/', and not be empty";
                }
                return Utf8.IsValid(value) ? null : $"/{protocol.Name} path is not valid UTF-8";
            case ValueKind.PeerId:
                return PeerIdText.Validate(value) is { } badPeer ? $"/{protocol.Name}: {badPeer}" : null;
            case ValueKind.Multihash:
                return Multihash.Validate(value) is { } bad ? $"/{protocol.Name}: {bad}" : null;
            default:
                // Fixed-size values: any bit pattern of the right length is an address or port.
                return null;
        }
    }

    public static string Format(ProtocolInfo protocol, ReadOnlySpan<byte> value) => protocol.Kind switch
    {
        ValueKind.None => string.Empty,
        ValueKind.Ip4 => string.Create(CultureInfo.InvariantCulture, $"{value[0]}.{value[1]}.{value[2]}.{value[3]}"),
        // RFC 5952 form; an IPv4-mapped address prints as ::ffff:a.b.c.d, as go-multiaddr does.
        ValueKind.Ip6 => new IPAddress(value).ToString(),
        ValueKind.Port => BinaryPrimitives.ReadUInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
        ValueKind.PrefixLength => value[0].ToString(CultureInfo.InvariantCulture),
        ValueKind.Text or ValueKind.Path => System.Text.Encoding.UTF8.GetString(value),
        ValueKind.PeerId => PeerIdText.Format(value),
        // go-multiaddr prints certhash as multibase base64url ('u').
        ValueKind.Multihash => "u" + Base64Url.EncodeToString(value),
        _ => throw new InvalidOperationException($"no printer for {protocol.Kind}"),
    };

    private static string? TryEncodeText(ProtocolInfo protocol, ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        bool isPath = protocol.Kind == ValueKind.Path;
        if (text.IsEmpty || (isPath && text is "/"))
        {
            return $"/{protocol.Name} needs a value";
        }
        int limit = isPath ? destination.Length : MaxTextValueLength;
        int count = System.Text.Encoding.UTF8.GetByteCount(text);
        if (count > limit)
        {
            return $"/{protocol.Name} value of {count} bytes is longer than {limit} bytes";
        }
        written = System.Text.Encoding.UTF8.GetBytes(text, destination);
        return null;
    }

    private static string? CopyOut(string? error, byte[] value, Span<byte> destination, out int written)
    {
        written = 0;
        if (error is not null)
        {
            return error;
        }
        if (value.Length > destination.Length)
        {
            return $"value of {value.Length} bytes does not fit in a multiaddr";
        }
        value.CopyTo(destination);
        written = value.Length;
        return null;
    }

    /// <summary>
    /// Multibase (multiformats/multibase) for /certhash: 'u' base64url, 'b' base32,
    /// 'z' base58btc, 'f' base16 — the encodings implementations actually emit.
    /// </summary>
    private static string? TryDecodeMultibase(ReadOnlySpan<char> text, out byte[] data)
    {
        data = [];
        if (text.Length < 2)
        {
            return $"'{text}' is not multibase text";
        }
        ReadOnlySpan<char> body = text[1..];
        bool ok;
        switch (text[0])
        {
            case 'u':
                data = new byte[Base64Url.GetMaxDecodedLength(body.Length)];
                // The OperationStatus overload reports bad characters instead of throwing.
                ok = Base64Url.DecodeFromChars(body, data, out _, out int n) == System.Buffers.OperationStatus.Done;
                data = ok ? data[..n] : [];
                break;
            case 'b':
                ok = Base32.TryDecode(body, out data);
                break;
            case 'z':
                ok = Base58.TryDecode(body, out data);
                break;
            case 'f':
                data = new byte[body.Length / 2];
                ok = body.Length % 2 == 0 && Convert.FromHexString(body, data, out _, out _) == System.Buffers.OperationStatus.Done;
                break;
            default:
                return $"'{text}' uses multibase prefix '{text[0]}', expected one of u, b, z, f";
        }
        return ok ? null : $"'{text}' is not valid multibase text";
    }

    /// <summary>Strict dotted quad: four decimal octets, no leading zeros (not octal, not shorthand).</summary>
    private static bool TryParseDottedQuad(ReadOnlySpan<char> text, Span<byte> destination)
    {
        for (int octet = 0; octet < 4; octet++)
        {
            int dot = text.IndexOf('.');
            ReadOnlySpan<char> part = octet < 3 ? (dot < 0 ? default : text[..dot]) : text;
            if (part.IsEmpty || part.Length > 3 || (part.Length > 1 && part[0] == '0')
                || !TryParseDecimal(part, byte.MaxValue, out uint value))
            {
                return false;
            }
            destination[octet] = (byte)value;
            text = octet < 3 ? text[(dot + 1)..] : default;
        }
        return true;
    }

    /// <summary>ASCII digits only (no sign, no spaces), at most <paramref name="max"/>.</summary>
    private static bool TryParseDecimal(ReadOnlySpan<char> text, uint max, out uint value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10)
        {
            return false;
        }
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (uint)(c - '0');
            if (value > max)
            {
                return false;
            }
        }
        return true;
    }
}
