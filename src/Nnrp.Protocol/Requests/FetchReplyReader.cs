using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Protocol.Requests;

/// <summary>
/// Reads an OK fetch answer (NNRP.md §11.5) straight from the received bytes into
/// <see cref="Notification"/>s: one copy of each payload, no protobuf messages and no
/// <c>ByteString</c>s in between (the generic parse then <c>FromProto</c> allocated ≈ 900 B per
/// item, a client's largest cost on a 1 000-item mailbox, docs/BENCHMARKS.md).
/// <para>
/// It reads the canonical encoding a node writes (<see cref="NnrpCodec.WriteFetchAsync"/>):
/// <code>
///   08 01                                   Response.status = OK, first
///   5a uvarint(len) FetchResponse           Response.fetch (field 11), once, last
///     { 0a uvarint(n) Notification }*       notifications (field 1)
///     [ 12 uvarint(c) next_cursor ]         next_cursor (field 2), at most once
///   Notification: fields 1..6 (version, recipient_tag, timestamp, ttl, payload, work),
///     each at most once, any order, with its declared wire type
/// </code>
/// and returns false on anything else — a refusal, another field, a repeated field, a wrong
/// wire type, an odd varint, a truncated length, a tag that is not 32 bytes, an oversized
/// payload — so that the caller hands those bytes to the protobuf parser and behaves exactly
/// as before (same results, same errors). Only a canonical answer takes this path.
/// </para>
/// </summary>
internal static class FetchReplyReader
{
    // Field keys, (number << 3) | wire type, from protocols/nnrp.proto.
    private const byte StatusKey = (1 << 3) | 0;
    private const byte FetchKey = (11 << 3) | 2;
    private const byte NotificationsKey = (1 << 3) | 2;
    private const byte NextCursorKey = (2 << 3) | 2;
    private const byte VersionKey = (1 << 3) | 0;
    private const byte RecipientTagKey = (2 << 3) | 2;
    private const byte TimestampKey = (3 << 3) | 0;
    private const byte TtlKey = (4 << 3) | 0;
    private const byte PayloadKey = (5 << 3) | 2;
    private const byte WorkKey = (6 << 3) | 1;

    /// <summary>A protobuf varint is at most 10 bytes (64 bits in 7-bit groups).</summary>
    private const int MaxVarintLength = 10;

    /// <summary>Reads a canonical OK fetch answer; false means "not canonical, parse it the generic way".</summary>
    public static bool TryRead(ReadOnlySequence<byte> response, out List<Notification> notifications, out byte[] nextCursor)
    {
        notifications = [];
        nextCursor = [];
        var reader = new SequenceReader<byte>(response);
        if (!reader.TryRead(out byte key) || key != StatusKey
            || !TryReadVarint(ref reader, out ulong status) || status != (ulong)Core.Protocol.StatusCode.Ok
            || !reader.TryRead(out key) || key != FetchKey
            || !TryReadLength(ref reader, out long fetchLength) || fetchLength != reader.Remaining)
        {
            return false;
        }
        bool cursorSeen = false;
        while (!reader.End)
        {
            if (!reader.TryRead(out key) || !TryReadLength(ref reader, out long length))
            {
                return false;
            }
            ReadOnlySequence<byte> field = reader.UnreadSequence.Slice(0, length);
            reader.Advance(length);
            if (key == NotificationsKey)
            {
                if (!TryReadNotification(field, out Notification? n))
                {
                    return false;
                }
                notifications.Add(n);
            }
            else if (key == NextCursorKey && !cursorSeen)
            {
                cursorSeen = true;
                nextCursor = field.ToArray();
            }
            else
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryReadNotification(ReadOnlySequence<byte> message, [NotNullWhen(true)] out Notification? notification)
    {
        notification = null;
        var reader = new SequenceReader<byte>(message);
        ulong version = 0, timestamp = 0, ttl = 0, work = 0;
        ReadOnlySequence<byte> tag = default, payload = default;
        int seen = 0;
        while (!reader.End)
        {
            if (!reader.TryRead(out byte key))
            {
                return false;
            }
            int field = key >> 3;
            if (field is < 1 or > 6 || (seen & (1 << field)) != 0)
            {
                return false;
            }
            seen |= 1 << field;
            bool read = key switch
            {
                VersionKey => TryReadVarint(ref reader, out version) && version <= uint.MaxValue,
                TimestampKey => TryReadVarint(ref reader, out timestamp),
                TtlKey => TryReadVarint(ref reader, out ttl) && ttl <= uint.MaxValue,
                WorkKey => TryReadFixed64(ref reader, out work),
                RecipientTagKey => TryReadBytes(ref reader, out tag),
                PayloadKey => TryReadBytes(ref reader, out payload),
                _ => false,
            };
            if (!read)
            {
                return false;
            }
        }
        // The structural rules NotificationProtobuf.FromProto enforces: outside them the
        // generic path reports the broken rule.
        if (tag.Length != RecipientTag.Size || payload.Length > NotificationLimits.MaxPayload)
        {
            return false;
        }
        Span<byte> tagBytes = stackalloc byte[RecipientTag.Size];
        tag.CopyTo(tagBytes);
        Span<byte> scratch = stackalloc byte[NotificationLimits.MaxPayload];
        ReadOnlySpan<byte> payloadBytes = payload.IsSingleSegment ? payload.FirstSpan : scratch[..(int)payload.Length];
        if (!payload.IsSingleSegment)
        {
            payload.CopyTo(scratch);
        }
        notification = new Notification((uint)version, RecipientTag.FromBytes(tagBytes), timestamp, (uint)ttl, payloadBytes, work);
        return true;
    }

    private static bool TryReadBytes(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> bytes)
    {
        if (!TryReadLength(ref reader, out long length))
        {
            bytes = default;
            return false;
        }
        bytes = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        return true;
    }

    private static bool TryReadFixed64(ref SequenceReader<byte> reader, out ulong value)
    {
        bool read = reader.TryReadLittleEndian(out long signed);
        value = (ulong)signed;
        return read;
    }

    /// <summary>A length prefix that fits in what is left.</summary>
    private static bool TryReadLength(ref SequenceReader<byte> reader, out long length)
    {
        length = 0;
        if (!TryReadVarint(ref reader, out ulong value) || value > (ulong)reader.Remaining)
        {
            return false;
        }
        length = (long)value;
        return true;
    }

    /// <summary>A protobuf varint (non-minimal encodings allowed, as protobuf allows them); false past 64 bits.</summary>
    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (int i = 0; i < MaxVarintLength; i++)
        {
            if (!reader.TryRead(out byte b))
            {
                return false;
            }
            if (i == MaxVarintLength - 1 && b > 1)
            {
                return false;
            }
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
