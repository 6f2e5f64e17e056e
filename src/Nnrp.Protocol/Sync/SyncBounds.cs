using Nnrp.Core.Notifications;

namespace Nnrp.Protocol.Sync;

/// <summary>
/// §11.8.1 bounds. A bound is a <see cref="TimeKey"/>; on the wire its hash is cut to the
/// shortest prefix that still separates the items on either side (the rest is zero bytes).
/// </summary>
public static class SyncBounds
{
    /// <summary>Below every item.</summary>
    public static readonly TimeKey Lowest = new(0, NotificationHash.FromBytes(new byte[NotificationHash.Size]));

    /// <summary>
    /// Above every item: §5 refuses timestamps beyond now + 600 s, so no item has the
    /// timestamp 2^64 − 1.
    /// </summary>
    public static readonly TimeKey Infinity = new(ulong.MaxValue, NotificationHash.FromBytes(new byte[NotificationHash.Size]));

    /// <summary>The smallest-prefix bound b with <paramref name="below"/> &lt; b ≤ <paramref name="above"/>.</summary>
    public static TimeKey Between(TimeKey below, TimeKey above)
    {
        if (below >= above)
        {
            throw new ArgumentException("the items must be ascending", nameof(above));
        }
        if (below.Timestamp != above.Timestamp)
        {
            return new TimeKey(above.Timestamp, Lowest.Hash);
        }
        Span<byte> a = stackalloc byte[NotificationHash.Size];
        Span<byte> b = stackalloc byte[NotificationHash.Size];
        below.Hash.CopyTo(a);
        above.Hash.CopyTo(b);
        int shared = a.CommonPrefixLength(b);
        // below < above[..shared+1] ‖ 0… ≤ above, since above[shared] > below[shared].
        b[(shared + 1)..].Clear();
        return new TimeKey(above.Timestamp, NotificationHash.FromBytes(b));
    }

    /// <summary>The wire form: the hash without its trailing zero bytes.</summary>
    public static Core.Protocol.SyncBound ToProto(TimeKey bound)
    {
        Span<byte> id = stackalloc byte[NotificationHash.Size];
        bound.Hash.CopyTo(id);
        int length = id.LastIndexOfAnyExcept((byte)0) + 1;
        return new Core.Protocol.SyncBound { Timestamp = bound.Timestamp, IdPrefix = Google.Protobuf.ByteString.CopyFrom(id[..length]) };
    }

    /// <exception cref="SyncProtocolException">missing, or a prefix over 32 bytes.</exception>
    public static TimeKey FromProto(Core.Protocol.SyncBound? bound)
    {
        if (bound is null)
        {
            throw new SyncProtocolException("a sync range lacks a bound");
        }
        if (bound.IdPrefix.Length > SyncLimits.MaxBoundPrefix)
        {
            throw new SyncProtocolException($"a bound's id prefix is {bound.IdPrefix.Length} bytes; at most {SyncLimits.MaxBoundPrefix}");
        }
        Span<byte> id = stackalloc byte[NotificationHash.Size];
        id.Clear();
        bound.IdPrefix.Span.CopyTo(id);
        return new TimeKey(bound.Timestamp, NotificationHash.FromBytes(id));
    }
}
