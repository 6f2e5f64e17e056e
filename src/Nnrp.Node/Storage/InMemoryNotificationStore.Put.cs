using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Node.Storage;

public sealed partial class InMemoryNotificationStore
{
    public IReadOnlyList<StoreOutcome> Put(IReadOnlyList<Notification> notifications)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        return Write(notifications, Decide);
    }

    private StoreOutcome[] Decide(InMemoryIndexes indexes, InMemoryBatch batch, IReadOnlyList<Notification> notifications)
    {
        var outcomes = new StoreOutcome[notifications.Count];
        var fresh = new List<(int Index, InMemoryIndexes.Item Item)>(notifications.Count);
        var seen = new HashSet<NotificationHash>();
        for (int i = 0; i < notifications.Count; i++)
        {
            Notification n = notifications[i];
            // The hash is computed here, before the notification is shared with readers.
            NotificationHash hash = n.Hash;
            if (!seen.Add(hash) || indexes.Contains(hash))
            {
                outcomes[i] = StoreOutcome.Duplicate;
                continue;
            }
            // The size the global cap weighs is that of the §3.4 encoding, as RocksDB stores it.
            int size = NotificationProtobuf.ToProto(n).CalculateSize();
            fresh.Add((i, new InMemoryIndexes.Item(n, StoredEntry.Of(n, hash, size))));
        }
        // NNRP.md §6.4: the per-tag cap first, then the global cap over what is left.
        var survivors = new List<(int Index, InMemoryIndexes.Item Item)>(fresh.Count);
        foreach (IGrouping<RecipientTag, (int Index, InMemoryIndexes.Item Item)> group in fresh.GroupBy(f => f.Item.Entry.Tag))
        {
            HashSet<NotificationHash> refused = ApplyTagCap(indexes, batch, group.Key, group.Select(g => g.Item.Entry).ToList());
            foreach ((int index, InMemoryIndexes.Item item) in group)
            {
                if (refused.Contains(item.Entry.Hash))
                {
                    outcomes[index] = StoreOutcome.TagFull;
                }
                else
                {
                    survivors.Add((index, item));
                }
            }
        }
        HashSet<NotificationHash> full = ApplyGlobalCap(indexes, batch, survivors.ConvertAll(s => s.Item.Entry));
        foreach ((int index, InMemoryIndexes.Item item) in survivors)
        {
            if (full.Contains(item.Entry.Hash))
            {
                outcomes[index] = StoreOutcome.StoreFull;
            }
            else
            {
                batch.Add(item);
                outcomes[index] = StoreOutcome.Stored;
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Issue 6 item 1: a tag holds at most <see cref="StoreOptions.PerTagCap"/>; the lowest work
    /// values go first, the oldest among equals, whether stored or arriving. Returns the new
    /// notifications that lose (they are refused, not stored).
    /// </summary>
    private HashSet<NotificationHash> ApplyTagCap(InMemoryIndexes indexes, InMemoryBatch batch, RecipientTag tag, List<StoredEntry> incoming)
    {
        int overflow = batch.TagCount(tag) + incoming.Count - _options.PerTagCap;
        return overflow <= 0
            ? []
            : StoreCaps.ApplyTagCap(overflow, indexes.LowestOfTag(tag).Where(e => !batch.IsDeleted(e.Hash)), incoming, batch.Delete);
    }

    /// <summary>
    /// NNRP.md §6.4: over <see cref="StoreOptions.MaxBytes"/>, the least work per byte goes first,
    /// whether stored or arriving (an arrival loses a tie). Returns the arrivals refused.
    /// </summary>
    private HashSet<NotificationHash> ApplyGlobalCap(InMemoryIndexes indexes, InMemoryBatch batch, List<StoredEntry> incoming)
    {
        long total = indexes.Bytes + batch.BytesDelta + incoming.Sum(e => (long)e.Size);
        if (total <= _options.MaxBytes)
        {
            return [];
        }
        (HashSet<NotificationHash> refused, int evicted) = StoreCaps.ApplyGlobalCap(total, _options.MaxBytes,
            indexes.LeastWorthFirst.Where(e => !batch.IsDeleted(e.Hash)), incoming, batch.Delete);
        if (evicted > 0)
        {
            _logger.GlobalCapEvicted(evicted, _options.MaxBytes);
        }
        return refused;
    }
}
