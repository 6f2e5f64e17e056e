using Google.Protobuf;
using Nnrp.Core.Notifications;
using Proto = Nnrp.Core.Protocol;

namespace Nnrp.Protocol.Sync;

/// <summary>§11.8.2–3: ranges to and from their protobuf form, every wire rule checked on the way in.</summary>
public static class SyncWire
{
    public static Proto.SyncRange ToProto(SyncRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var proto = new Proto.SyncRange { Lower = SyncBounds.ToProto(range.Lower), Upper = SyncBounds.ToProto(range.Upper) };
        if (range.IsOpen)
        {
            proto.Open = true;
        }
        if (range.Fingerprint is { } fingerprint)
        {
            proto.Fingerprint = ByteString.CopyFrom(fingerprint.ToArray());
        }
        else
        {
            var ids = new byte[range.Ids!.Count * NotificationHash.Size];
            for (int i = 0; i < range.Ids.Count; i++)
            {
                range.Ids[i].CopyTo(ids.AsSpan(i * NotificationHash.Size));
            }
            proto.Ids = ByteString.CopyFrom(ids);
        }
        return proto;
    }

    /// <summary>
    /// Decodes a list of ranges: ascending and disjoint, each non-empty, at most
    /// <paramref name="maxRanges"/>, each id list strictly ascending by hash and at most
    /// <paramref name="maxIdsPerRange"/> long, at most <paramref name="maxIds"/> ids in all.
    /// <paramref name="allowOpen"/> is true for responses: an <c>open</c> range (§11.8.4) is taken
    /// as <see cref="SyncRange.Open"/>, whatever summary it carries; in a request it is a broken rule.
    /// </summary>
    /// <exception cref="SyncProtocolException">a rule is broken.</exception>
    public static List<SyncRange> FromProto(IReadOnlyList<Proto.SyncRange> ranges, int maxRanges, int maxIdsPerRange, int maxIds, bool allowOpen = false)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count > maxRanges)
        {
            throw new SyncProtocolException($"{ranges.Count} sync ranges; at most {maxRanges}");
        }
        var result = new List<SyncRange>(ranges.Count);
        int idsSeen = 0;
        foreach (Proto.SyncRange proto in ranges)
        {
            TimeKey lower = SyncBounds.FromProto(proto.Lower);
            TimeKey upper = SyncBounds.FromProto(proto.Upper);
            if (lower >= upper)
            {
                throw new SyncProtocolException("a sync range's lower bound is not below its upper bound");
            }
            if (result.Count > 0 && lower < result[^1].Upper)
            {
                throw new SyncProtocolException("sync ranges overlap or are not ascending");
            }
            if (proto.Open)
            {
                if (!allowOpen)
                {
                    throw new SyncProtocolException("only a response may mark a sync range open");
                }
                result.Add(SyncRange.Open(lower, upper));
                continue;
            }
            switch (proto.SummaryCase)
            {
                case Proto.SyncRange.SummaryOneofCase.Fingerprint:
                    result.Add(SyncRange.WithFingerprint(lower, upper, Fingerprint.FromBytes(proto.Fingerprint.Span)));
                    break;
                case Proto.SyncRange.SummaryOneofCase.Ids:
                    List<NotificationHash> ids = ParseIds(proto.Ids.Span, maxIdsPerRange);
                    idsSeen += ids.Count;
                    if (idsSeen > maxIds)
                    {
                        throw new SyncProtocolException($"more than {maxIds} ids in one sync message");
                    }
                    result.Add(SyncRange.WithIds(lower, upper, ids));
                    break;
                default:
                    throw new SyncProtocolException("a sync range carries neither a fingerprint nor ids");
            }
        }
        return result;
    }

    private static List<NotificationHash> ParseIds(ReadOnlySpan<byte> bytes, int max)
    {
        if (bytes.Length % NotificationHash.Size != 0)
        {
            throw new SyncProtocolException($"an id list of {bytes.Length} bytes is not a whole number of {NotificationHash.Size}-byte ids");
        }
        int count = bytes.Length / NotificationHash.Size;
        if (count > max)
        {
            throw new SyncProtocolException($"{count} ids in one sync range; at most {max}");
        }
        var ids = new List<NotificationHash>(count);
        for (int i = 0; i < count; i++)
        {
            var id = NotificationHash.FromBytes(bytes.Slice(i * NotificationHash.Size, NotificationHash.Size));
            if (ids.Count > 0 && id <= ids[^1])
            {
                throw new SyncProtocolException("a sync id list is not strictly ascending");
            }
            ids.Add(id);
        }
        // Only hashes travel, so whether each lies in the range cannot be checked here; a
        // stray id costs one get, and what it fetches passes the ingress gate like anything else.
        return ids;
    }
}
