using System.Buffers.Binary;
using System.Text;
using Nnrp.Core.Hashing;

namespace Nnrp.Core.Codecs;

/// <summary>
/// NanoNym v2 address (NanoNymNault RFC 0001; checksum as the reference
/// <c>@nanomyms/protocol</c> writes it):
/// <code>
///   nnym_ + NanoBase32.EncodeTrailing(payload)
///   payload:
///   ┌──────┬──────────────┬─────────────┬──────────────┬──────────────┬──────────────┐
///   │ 0x02 │ B_spend (32) │ B_view (32) │ uri_len u16BE│ uri (UTF-8)  │ checksum (5) │
///   └──────┴──────────────┴─────────────┴──────────────┴──────────────┴──────────────┘
///   checksum = BLAKE2b(outlen = 5) of every byte before it
/// </code>
/// The URI must be non-empty and have a scheme (RFC 0001 "Notification URI Rules"); for NNRP
/// it is an <c>nnrp:</c> <see cref="NotificationUri"/>.
/// </summary>
public sealed record NanoNymAddress
{
    /// <summary>Prefix of every NanoNym address.</summary>
    public const string Prefix = "nnym_";

    /// <summary>The only version: 0x02.</summary>
    public const byte Version = 0x02;

    /// <summary>Checksum bytes.</summary>
    public const int ChecksumSize = 5;

    /// <summary>Bytes before the URI: version, two keys, length.</summary>
    public const int HeaderSize = 1 + 32 + 32 + 2;

    /// <summary>The URI length field is a u16.</summary>
    public const int MaxUriBytes = ushort.MaxValue;

    /// <summary>Longest address text that can be valid.</summary>
    public static readonly int MaxLength = Prefix.Length + NanoBase32.EncodedLength(HeaderSize + MaxUriBytes + ChecksumSize);

    /// <summary>A NanoNym from its parts; keys are 32 bytes each.</summary>
    public NanoNymAddress(ReadOnlyMemory<byte> spendPublicKey, ReadOnlyMemory<byte> viewPublicKey, string notificationUri)
    {
        ArgumentNullException.ThrowIfNull(notificationUri);
        if (spendPublicKey.Length != 32 || viewPublicKey.Length != 32)
        {
            throw new NnrpFormatException("NanoNym spend and view keys are 32 bytes each");
        }
        CheckUri(notificationUri);
        if (Encoding.UTF8.GetByteCount(notificationUri) > MaxUriBytes)
        {
            throw new NnrpFormatException($"a NanoNym notification URI is at most {MaxUriBytes} UTF-8 bytes");
        }
        SpendPublicKey = spendPublicKey.ToArray();
        ViewPublicKey = viewPublicKey.ToArray();
        NotificationUri = notificationUri;
    }

    /// <summary>B_spend, Ed25519 (32 bytes).</summary>
    public ReadOnlyMemory<byte> SpendPublicKey { get; }

    /// <summary>B_view, Ed25519 (32 bytes).</summary>
    public ReadOnlyMemory<byte> ViewPublicKey { get; }

    /// <summary>The Tier-1 notification destination.</summary>
    public string NotificationUri { get; }

    /// <summary>The NNRP destination, when the URI is an <c>nnrp:</c> URI.</summary>
    public NotificationUri? NnrpUri => Codecs.NotificationUri.TryParse(NotificationUri, out var uri) ? uri : null;

    /// <summary>The <c>nnym_</c> text.</summary>
    public string Encode()
    {
        byte[] uri = Encoding.UTF8.GetBytes(NotificationUri);
        var payload = new byte[HeaderSize + uri.Length + ChecksumSize];
        payload[0] = Version;
        SpendPublicKey.Span.CopyTo(payload.AsSpan(1));
        ViewPublicKey.Span.CopyTo(payload.AsSpan(33));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(65), (ushort)uri.Length);
        uri.CopyTo(payload, HeaderSize);
        int checksumAt = HeaderSize + uri.Length;
        Blake2b.Hash(payload.AsSpan(0, checksumAt), payload.AsSpan(checksumAt, ChecksumSize));
        return Prefix + NanoBase32.EncodeTrailing(payload);
    }

    /// <summary>Parses and checks an <c>nnym_</c> address.</summary>
    public static NanoNymAddress Decode(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new NnrpFormatException("a NanoNym address starts with nnym_");
        }
        if (address.Length > MaxLength)
        {
            throw new NnrpFormatException($"a NanoNym address is at most {MaxLength} characters");
        }
        ReadOnlySpan<char> body = address.AsSpan(Prefix.Length);
        var payload = new byte[body.Length * 5 / 8];
        if (!NanoBase32.TryDecodeTrailing(body, payload, out int length))
        {
            throw new NnrpFormatException("a NanoNym address body is Nano base32 with zero padding bits");
        }
        ReadOnlySpan<byte> p = payload.AsSpan(0, length);
        if (p.Length < HeaderSize + ChecksumSize)
        {
            throw new NnrpFormatException($"a NanoNym payload is at least {HeaderSize + ChecksumSize} bytes, not {p.Length}");
        }
        if (p[0] != Version)
        {
            throw new NnrpFormatException($"unsupported NanoNym version {p[0]} (only 2)");
        }
        int uriLength = BinaryPrimitives.ReadUInt16BigEndian(p[65..]);
        if (p.Length != HeaderSize + uriLength + ChecksumSize)
        {
            throw new NnrpFormatException($"NanoNym payload length {p.Length} does not match its URI length {uriLength}");
        }
        int checksumAt = HeaderSize + uriLength;
        Span<byte> expected = stackalloc byte[ChecksumSize];
        Blake2b.Hash(p[..checksumAt], expected);
        if (!expected.SequenceEqual(p[checksumAt..]))
        {
            throw new NnrpFormatException("NanoNym address checksum does not match");
        }
        string uri;
        try
        {
            uri = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(p[HeaderSize..checksumAt]);
        }
        catch (DecoderFallbackException e)
        {
            throw new NnrpFormatException("a NanoNym notification URI is UTF-8", e);
        }
        return new NanoNymAddress(p.Slice(1, 32).ToArray(), p.Slice(33, 32).ToArray(), uri);
    }

    private static void CheckUri(string uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new NnrpFormatException("a NanoNym notification URI must not be empty");
        }
        if (uri.IndexOf(':', StringComparison.Ordinal) <= 0)
        {
            throw new NnrpFormatException("a NanoNym notification URI must have a scheme");
        }
    }

    public bool Equals(NanoNymAddress? other) =>
        other is not null
        && SpendPublicKey.Span.SequenceEqual(other.SpendPublicKey.Span)
        && ViewPublicKey.Span.SequenceEqual(other.ViewPublicKey.Span)
        && string.Equals(NotificationUri, other.NotificationUri, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(NotificationUri, SpendPublicKey.Span[0], ViewPublicKey.Span[0]);
}
