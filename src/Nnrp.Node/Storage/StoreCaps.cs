using Nnrp.Core.Notifications;

namespace Nnrp.Node.Storage;

/// <summary>
/// Who loses when a cap is crossed, decided alike by every store over its own indexes: the
/// stored side arrives as an ordered walk of an index (read only as far as needed), the
/// arrivals as a list, and each stored loser is handed to <c>evict</c>.
/// </summary>
internal static class StoreCaps
{
    /// <summary>
    /// Issue 6 item 1: the <paramref name="overflow"/> lowest work values of a tag go, the oldest
    /// among equals, whether stored or arriving. <paramref name="storedLowestFirst"/> walks the
    /// tag's stored entries in (value, timestamp, hash) order. Returns the arrivals refused.
    /// </summary>
    public static HashSet<NotificationHash> ApplyTagCap(int overflow, IEnumerable<StoredEntry> storedLowestFirst, List<StoredEntry> incoming,
        Action<StoredEntry> evict)
    {
        var refused = new HashSet<NotificationHash>();
        var candidates = storedLowestFirst.Take(overflow).Select(e => (Entry: e, IsNew: false))
            .Concat(incoming.Select(e => (Entry: e, IsNew: true)))
            .OrderBy(c => c.Entry.Value).ThenBy(c => c.Entry.Timestamp).ThenBy(c => c.Entry.Hash)
            .Take(overflow)
            .ToList();
        foreach ((StoredEntry entry, bool isNew) in candidates)
        {
            if (isNew)
            {
                refused.Add(entry.Hash);
            }
            else
            {
                evict(entry);
            }
        }
        return refused;
    }

    /// <summary>
    /// NNRP.md §6.4: while <paramref name="total"/> bytes exceed <paramref name="maxBytes"/>, the
    /// least work per byte goes first, whether stored or arriving; an arrival loses a tie.
    /// <paramref name="storedLeastWorthFirst"/> walks <c>by_worth</c> and is read only as far as
    /// it must, so eviction never scans. Returns the arrivals refused and how many stored went.
    /// </summary>
    public static (HashSet<NotificationHash> Refused, int Evicted) ApplyGlobalCap(long total, long maxBytes,
        IEnumerable<StoredEntry> storedLeastWorthFirst, List<StoredEntry> incoming, Action<StoredEntry> evict)
    {
        var refused = new HashSet<NotificationHash>();
        // Arrivals in eviction order: largest cost first, then earliest expiry, then hash.
        var arrivals = new Queue<StoredEntry>(incoming
            .OrderByDescending(e => e.Cost).ThenBy(e => e.ExpiresAt).ThenBy(e => e.Hash));
        int evicted = 0;
        using IEnumerator<StoredEntry> walk = storedLeastWorthFirst.GetEnumerator();
        StoredEntry? stored = walk.MoveNext() ? walk.Current : null;
        while (total > maxBytes && (stored is not null || arrivals.Count > 0))
        {
            if (arrivals.TryPeek(out StoredEntry arrival) && (stored is not { } s || arrival.Cost >= s.Cost))
            {
                arrivals.Dequeue();
                refused.Add(arrival.Hash);
                total -= arrival.Size;
            }
            else
            {
                evict(stored!.Value);
                total -= stored.Value.Size;
                evicted++;
                stored = walk.MoveNext() ? walk.Current : null;
            }
        }
        return (refused, evicted);
    }
}
