using System.Buffers.Binary;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using RocksDbSharp;

namespace Nnrp.Node.Storage;

public sealed partial class RocksDbNotificationStore
{
    /// <summary>
    /// Walks every column family and lists what disagrees: an index entry without its
    /// notification, a notification missing an index entry, tag counts or totals that do not
    /// add up. Empty means consistent. Reads everything; for tests and offline checks.
    /// </summary>
    internal IReadOnlyList<string> CheckConsistency() => Guard(() =>
    {
        var problems = new List<string>();
        var tagCounts = new Dictionary<RecipientTag, int>();
        long count = 0, bytes = 0;
        var expected = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string index in new[] { StoreSchema.ByTag, StoreSchema.ByTagValue, StoreSchema.ByExpiry, StoreSchema.ByWorth, StoreSchema.ByShard8, StoreSchema.ByTime })
        {
            expected[index] = [];
        }
        Span<byte> key = stackalloc byte[StoreSchema.LongestKeySize];
        using (Iterator it = _db.NewIterator(_cf[StoreSchema.Notifications]))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                NotificationHash hash = NotificationHash.FromBytes(it.GetKeySpan());
                byte[] value = it.Value();
                Notification n = Decode(hash, value);
                if (n.Hash != hash)
                {
                    problems.Add($"notification under {hash} hashes to {n.Hash}");
                }
                StoredEntry e = StoredEntry.Of(n, hash, value.Length);
                count++;
                bytes += value.Length;
                tagCounts[e.Tag] = tagCounts.GetValueOrDefault(e.Tag) + 1;
                StoreSchema.WriteByTag(key, e);
                expected[StoreSchema.ByTag].Add(Convert.ToHexString(key[..StoreSchema.ByTagKeySize]));
                StoreSchema.WriteByTagValue(key, e);
                expected[StoreSchema.ByTagValue].Add(Convert.ToHexString(key[..StoreSchema.ByTagValueKeySize]));
                StoreSchema.WriteByExpiry(key, e);
                expected[StoreSchema.ByExpiry].Add(Convert.ToHexString(key[..StoreSchema.ByExpiryKeySize]));
                StoreSchema.WriteByWorth(key, e);
                expected[StoreSchema.ByWorth].Add(Convert.ToHexString(key[..StoreSchema.ByWorthKeySize]));
                StoreSchema.WriteByShard8(key, e);
                expected[StoreSchema.ByShard8].Add(Convert.ToHexString(key[..StoreSchema.ByShard8KeySize]));
                StoreSchema.WriteByTime(key, e);
                expected[StoreSchema.ByTime].Add(Convert.ToHexString(key[..StoreSchema.ByTimeKeySize]));
            }
        }
        foreach ((string index, HashSet<string> keys) in expected)
        {
            using Iterator it = _db.NewIterator(_cf[index]);
            int seen = 0;
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                seen++;
                if (!keys.Contains(Convert.ToHexString(it.GetKeySpan())))
                {
                    problems.Add($"{index} entry {Convert.ToHexString(it.GetKeySpan())} has no notification");
                }
                else if (index == StoreSchema.ByTag && !it.GetValueSpan().IsEmpty)
                {
                    // StoreSchema: a by_tag value, when present, is the notification's stored bytes.
                    byte[]? stored = _db.Get(it.GetKeySpan()[(StoreSchema.ByTagKeySize - NotificationHash.Size)..].ToArray(), _cf[StoreSchema.Notifications]);
                    if (stored is null || !it.GetValueSpan().SequenceEqual(stored))
                    {
                        problems.Add($"by_tag entry {Convert.ToHexString(it.GetKeySpan())} carries other bytes than its notification");
                    }
                }
            }
            if (seen != keys.Count)
            {
                problems.Add($"{index} holds {seen} entries for {keys.Count} notifications");
            }
        }
        using (Iterator it = _db.NewIterator(_cf[StoreSchema.TagCounts]))
        {
            int tags = 0;
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                tags++;
                RecipientTag tag = RecipientTag.FromBytes(it.GetKeySpan());
                int stored = (int)BinaryPrimitives.ReadUInt32BigEndian(it.GetValueSpan());
                if (tagCounts.GetValueOrDefault(tag) != stored)
                {
                    problems.Add($"tag {tag} counted {stored}, holds {tagCounts.GetValueOrDefault(tag)}");
                }
            }
            if (tags != tagCounts.Count)
            {
                problems.Add($"tag_counts has {tags} tags, the store {tagCounts.Count}");
            }
        }
        ColumnFamilyHandle meta = _cf[StoreSchema.Meta];
        if ((long)ReadU64(_db.Get(StoreSchema.CountKey, meta)) != count || (long)ReadU64(_db.Get(StoreSchema.BytesKey, meta)) != bytes)
        {
            problems.Add($"meta totals disagree with {count} notifications of {bytes} bytes");
        }
        using (Iterator it = _db.NewIterator(_cf[StoreSchema.ByWorth]))
        {
            it.SeekToFirst();
            UInt128 least = it.Valid() ? StoreSchema.ReadWorthCost(it.GetKeySpan()) : 0;
            if (Floor is { } floor && floor.LeastWorthCost != least)
            {
                problems.Add($"in-memory least cost {floor.LeastWorthCost} disagrees with by_worth's first {least}");
            }
        }
        if (Interlocked.Read(ref _count) != count || Interlocked.Read(ref _bytes) != bytes)
        {
            problems.Add("in-memory totals disagree with the store");
        }
        return problems;
    });
}
