using Nnrp.Core.Notifications;
using Nnrp.Protocol.Sync;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Storage;

/// <summary>
/// Where accepted notifications live for their TTL. Only the ingress gate writes (one writer,
/// group commit); queries and the sweeper may run beside it. Every method throws
/// <see cref="StoreUnavailableException"/> on a storage failure and nothing else for one.
/// </summary>
public interface INotificationStore : IDisposable
{
    /// <summary>True when a notification with this hash is stored.</summary>
    bool Contains(NotificationHash hash);

    /// <summary>The stored notification, or null.</summary>
    Notification? Get(NotificationHash hash);

    /// <summary>
    /// Stores a group atomically and durably: when this returns, every <see cref="StoreOutcome.Stored"/>
    /// item is on disk (WAL synced) with all its index entries; when it throws, none is.
    /// Per-tag and global caps are applied inside the same write.
    /// </summary>
    IReadOnlyList<StoreOutcome> Put(IReadOnlyList<Notification> notifications);

    /// <summary>One page of notifications matching <paramref name="query"/> that are not expired at <paramref name="now"/>.</summary>
    /// <exception cref="Nnrp.Core.NnrpFormatException">the cursor is not one this store issued.</exception>
    NotificationPage Fetch(FetchQuery query, ulong now);

    /// <summary>
    /// The page <see cref="Fetch"/> returns, each notification as its §3.4 protobuf bytes, for
    /// answers that copy them to the wire as they are (/nnrp/1.0). Dispose it once written. A
    /// store that keeps the encoded bytes hands them over without decoding; this default
    /// encodes the decoded page once.
    /// </summary>
    /// <exception cref="Nnrp.Core.NnrpFormatException">the cursor is not one this store issued.</exception>
    EncodedPage FetchEncoded(FetchQuery query, ulong now) => EncodedPage.Encode(Fetch(query, now));

    /// <summary>Deletes up to <paramref name="maxItems"/> notifications with expires_at ≤ <paramref name="now"/>; returns how many.</summary>
    int SweepExpired(ulong now, int maxItems);

    /// <summary>What the store holds.</summary>
    StoreStatistics Statistics { get; }

    /// <summary>
    /// NNRP.md §8.5: deletes up to <paramref name="maxItems"/> notifications whose tag
    /// <paramref name="drop"/> selects (a shard the node left), in one write; returns how many.
    /// </summary>
    int DropTags(Func<Nnrp.Core.Keys.RecipientTag, bool> drop, int maxItems) =>
        throw new NotSupportedException("this store cannot drop a shard");

    /// <summary>
    /// The global cap's state for pricing (NNRP.md §6.3 store fill, §6.4 least work per byte),
    /// read from memory on every submission; null for a store without a size cap.
    /// </summary>
    StoreFloor? Floor => null;

    /// <summary>
    /// The lowest work value stored for <paramref name="tag"/>, the one the per-tag cap drops
    /// next (NNRP.md §6.4); null when the tag holds nothing or the store keeps no such index.
    /// </summary>
    ulong? LowestValueOf(Nnrp.Core.Keys.RecipientTag tag) => null;

    /// <summary>
    /// Sync (NNRP.md §11.8) reads the <c>by_time</c> index: appends to <paramref name="destination"/> up to
    /// <paramref name="max"/> keys in ascending (timestamp, hash) order, starting at the first ≥
    /// <paramref name="from"/>, and returns how many. Expired entries the sweeper has not reached yet
    /// are included. A store without a time index does not support sync.
    /// </summary>
    int ReadTimeIndex(TimeKey from, int max, List<TimeKey> destination) =>
        throw new NotSupportedException("this store keeps no time index, so it cannot take part in sync");

    /// <summary>
    /// <see cref="ReadTimeIndex(TimeKey, int, List{TimeKey})"/> with each key's tag's first two
    /// bytes (sync of a shard, NNRP.md §11.8.8, filters on them without a point lookup). With
    /// <paramref name="firstByte"/>, only keys whose tag starts with that byte are read (the
    /// RocksDB store walks its <c>by_shard8</c> bucket); the count returned is entries read.
    /// </summary>
    int ReadTimeIndex(TimeKey from, int max, List<TaggedTimeKey> destination, byte? firstByte) =>
        throw new NotSupportedException("this store keeps no time index, so it cannot take part in sync");
}

/// <summary>A sync item (§11.8.1) with its tag's first two bytes, enough to tell its shard (b ≤ 16, §8.1).</summary>
public readonly record struct TaggedTimeKey(TimeKey Key, ushort Top16);

/// <summary>What <see cref="INotificationStore.Put"/> did with one notification.</summary>
public enum StoreOutcome
{
    /// <summary>Written, durable.</summary>
    Stored,

    /// <summary>Already stored (or twice in the group); nothing written.</summary>
    Duplicate,

    /// <summary>The tag holds its cap of notifications that all carry at least as much work; refused.</summary>
    TagFull,

    /// <summary>
    /// The store is at its size cap and every notification that would have to go carries at
    /// least as much work per byte (NNRP.md §6.4); refused.
    /// </summary>
    StoreFull,
}

/// <param name="Count">Notifications stored.</param>
/// <param name="Bytes">Sum of their encoded sizes (the figure the global cap limits).</param>
/// <param name="DiskBytes">Files on disk (SST + WAL estimate), 0 when unknown.</param>
public readonly record struct StoreStatistics(long Count, long Bytes, long DiskBytes);
