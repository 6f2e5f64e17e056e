using Nnrp.Core.Notifications;

namespace Nnrp.Protocol.Sync;

/// <summary>A notification's place in the <c>by_time</c> order: (timestamp, content hash).</summary>
public readonly record struct TimeKey(ulong Timestamp, NotificationHash Hash) : IComparable<TimeKey>
{
    public int CompareTo(TimeKey other)
    {
        int c = Timestamp.CompareTo(other.Timestamp);
        return c != 0 ? c : Hash.CompareTo(other.Hash);
    }

    public static bool operator <(TimeKey left, TimeKey right) => left.CompareTo(right) < 0;

    public static bool operator >(TimeKey left, TimeKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(TimeKey left, TimeKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(TimeKey left, TimeKey right) => left.CompareTo(right) >= 0;
}
