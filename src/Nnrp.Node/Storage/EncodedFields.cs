using Nnrp.Core;

namespace Nnrp.Node.Storage;

/// <summary>
/// Reads expires_at = timestamp + ttl (NNRP.md §5) and the payload's length straight from a
/// stored notification's §3.4 protobuf bytes, so a fetch can drop expired items and count its
/// answer budget (§11.5) without decoding (the payload is never copied). Protobuf rules: fields in any order, the last occurrence of a scalar wins,
/// unknown fields skipped by wire type, an absent field is 0.
/// <code>
///   Notification: 1 version varint ‖ 2 recipient_tag bytes ‖ 3 timestamp varint ‖ 4 ttl varint
///                 ‖ 5 payload bytes ‖ 6 work fixed64
/// </code>
/// </summary>
internal static class EncodedFields
{
    private const int TimestampField = 3;
    private const int TtlField = 4;
    private const int PayloadField = 5;

    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <exception cref="NnrpFormatException">the bytes are not a protobuf message.</exception>
    public static StoredFields Read(ReadOnlySpan<byte> encoded)
    {
        ulong timestamp = 0;
        uint ttl = 0;
        int payload = 0;
        int at = 0;
        while (at < encoded.Length)
        {
            ulong key = ReadVarint(encoded, ref at);
            int wire = (int)(key & 7);
            ulong field = key >> 3;
            switch (wire)
            {
                case WireVarint:
                    ulong value = ReadVarint(encoded, ref at);
                    if (field == TimestampField)
                    {
                        timestamp = value;
                    }
                    else if (field == TtlField)
                    {
                        ttl = (uint)value; // uint32: the low 32 bits, as protobuf reads it
                    }
                    break;
                case WireFixed64:
                    at = Skip(encoded, at, 8);
                    break;
                case WireLengthDelimited:
                    ulong length = ReadVarint(encoded, ref at);
                    at = Skip(encoded, at, length);
                    if (field == PayloadField)
                    {
                        payload = (int)length;
                    }
                    break;
                case WireFixed32:
                    at = Skip(encoded, at, 4);
                    break;
                default:
                    throw new NnrpFormatException($"wire type {wire} is not one a Notification carries");
            }
        }
        // Saturating, as Notification.ExpiresAt.
        return new StoredFields(timestamp > ulong.MaxValue - ttl ? ulong.MaxValue : timestamp + ttl, payload);
    }

    // Protobuf varints, not Libp2p's Varint: up to 10 bytes, non-minimal forms allowed (a uint64
    // at or above 2^63 takes 10), as Google.Protobuf reads them.
    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length)
            {
                throw new NnrpFormatException("a varint runs past the end of the notification");
            }
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new NnrpFormatException("a varint is longer than 10 bytes");
    }

    private static int Skip(ReadOnlySpan<byte> bytes, int at, ulong length)
    {
        if (length > (ulong)(bytes.Length - at))
        {
            throw new NnrpFormatException("a field runs past the end of the notification");
        }
        return at + (int)length;
    }
}

/// <summary>What a fetch needs of a stored notification without decoding it.</summary>
/// <param name="ExpiresAt">timestamp + ttl, saturating (NNRP.md §5).</param>
/// <param name="PayloadLength">Bytes of the payload field.</param>
internal readonly record struct StoredFields(ulong ExpiresAt, int PayloadLength);
