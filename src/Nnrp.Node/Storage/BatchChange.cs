using System.Buffers.Binary;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using RocksDbSharp;

namespace Nnrp.Node.Storage;

public sealed partial class RocksDbNotificationStore
{
    /// <summary>
    /// The entries, tag counts and totals one WriteBatch changes. The in-memory totals move
    /// only in <see cref="Commit"/>, after the batch is on disk.
    /// </summary>
    private sealed class BatchChange(RocksDbNotificationStore store, WriteBatch batch)
    {
        private readonly Dictionary<RecipientTag, int> _tagCounts = [];
        private readonly HashSet<NotificationHash> _deleted = [];
        private long _countDelta;
        private int _added;

        public long BytesDelta { get; private set; }

        public bool IsDeleted(NotificationHash hash) => _deleted.Contains(hash);

        /// <summary>False when the batch adds and deletes nothing (every item refused or a duplicate): no write, no WAL sync.</summary>
        public bool HasChanges => _added > 0 || _deleted.Count > 0;

        public int TagCount(RecipientTag tag)
        {
            if (_tagCounts.TryGetValue(tag, out int count))
            {
                return count;
            }
            Span<byte> key = stackalloc byte[RecipientTag.Size];
            tag.CopyTo(key);
            byte[]? stored = store._db.Get(key, store._cf[StoreSchema.TagCounts]);
            count = stored is { Length: 4 } ? (int)BinaryPrimitives.ReadUInt32BigEndian(stored) : 0;
            _tagCounts[tag] = count;
            return count;
        }

        public void Add(in StoredEntry e, byte[] encoded)
        {
            Span<byte> key = stackalloc byte[StoreSchema.LongestKeySize];
            Span<byte> tag = stackalloc byte[RecipientTag.Size];
            e.Tag.CopyTo(tag);
            e.Hash.CopyTo(key);
            batch.Put(key[..NotificationHash.Size], encoded, store._cf[StoreSchema.Notifications]);
            StoreSchema.WriteByTag(key, e);
            // The exact-tag fetch reads the bytes from here (StoreSchema): no point lookup per item.
            batch.Put(key[..StoreSchema.ByTagKeySize], encoded, store._cf[StoreSchema.ByTag]);
            StoreSchema.WriteByTagValue(key, e);
            batch.Put(key[..StoreSchema.ByTagValueKeySize], [], store._cf[StoreSchema.ByTagValue]);
            StoreSchema.WriteByExpiry(key, e);
            batch.Put(key[..StoreSchema.ByExpiryKeySize], [], store._cf[StoreSchema.ByExpiry]);
            StoreSchema.WriteByWorth(key, e);
            batch.Put(key[..StoreSchema.ByWorthKeySize], [], store._cf[StoreSchema.ByWorth]);
            StoreSchema.WriteByShard8(key, e);
            batch.Put(key[..StoreSchema.ByShard8KeySize], tag, store._cf[StoreSchema.ByShard8]);
            StoreSchema.WriteByTime(key, e);
            batch.Put(key[..StoreSchema.ByTimeKeySize], tag, store._cf[StoreSchema.ByTime]);
            _tagCounts[e.Tag] = TagCount(e.Tag) + 1;
            _added++;
            _countDelta++;
            BytesDelta += e.Size;
        }

        public void Delete(in StoredEntry e)
        {
            if (!_deleted.Add(e.Hash))
            {
                return;
            }
            Span<byte> key = stackalloc byte[StoreSchema.LongestKeySize];
            e.Hash.CopyTo(key);
            batch.Delete(key[..NotificationHash.Size], store._cf[StoreSchema.Notifications]);
            StoreSchema.WriteByTag(key, e);
            batch.Delete(key[..StoreSchema.ByTagKeySize], store._cf[StoreSchema.ByTag]);
            StoreSchema.WriteByTagValue(key, e);
            batch.Delete(key[..StoreSchema.ByTagValueKeySize], store._cf[StoreSchema.ByTagValue]);
            StoreSchema.WriteByExpiry(key, e);
            batch.Delete(key[..StoreSchema.ByExpiryKeySize], store._cf[StoreSchema.ByExpiry]);
            StoreSchema.WriteByWorth(key, e);
            batch.Delete(key[..StoreSchema.ByWorthKeySize], store._cf[StoreSchema.ByWorth]);
            StoreSchema.WriteByShard8(key, e);
            batch.Delete(key[..StoreSchema.ByShard8KeySize], store._cf[StoreSchema.ByShard8]);
            StoreSchema.WriteByTime(key, e);
            batch.Delete(key[..StoreSchema.ByTimeKeySize], store._cf[StoreSchema.ByTime]);
            _tagCounts[e.Tag] = Math.Max(0, TagCount(e.Tag) - 1);
            _countDelta--;
            BytesDelta -= e.Size;
        }

        /// <summary>Tag counts and totals go into the same batch, so they never disagree with the entries.</summary>
        public void WriteCounters()
        {
            Span<byte> key = stackalloc byte[RecipientTag.Size];
            Span<byte> value = stackalloc byte[8];
            foreach ((RecipientTag tag, int count) in _tagCounts)
            {
                tag.CopyTo(key);
                if (count == 0)
                {
                    batch.Delete(key, store._cf[StoreSchema.TagCounts]);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(value, (uint)count);
                    batch.Put(key, value[..4], store._cf[StoreSchema.TagCounts]);
                }
            }
            BinaryPrimitives.WriteUInt64BigEndian(value, (ulong)Math.Max(0, store._count + _countDelta));
            batch.Put(StoreSchema.CountKey, value, store._cf[StoreSchema.Meta]);
            BinaryPrimitives.WriteUInt64BigEndian(value, (ulong)Math.Max(0, store._bytes + BytesDelta));
            batch.Put(StoreSchema.BytesKey, value, store._cf[StoreSchema.Meta]);
        }

        public void Commit()
        {
            Interlocked.Add(ref store._count, _countDelta);
            Interlocked.Add(ref store._bytes, BytesDelta);
            store.RefreshLeastWorth();
        }
    }
}
