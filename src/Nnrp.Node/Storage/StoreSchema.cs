using System.Buffers.Binary;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Node.Storage;

/// <summary>
/// The RocksDB layout (DESIGN "Storage", refined). All integers big-endian so that byte order
/// is numeric order; every index orders by (timestamp, hash) as NNRP.md §11.5 requires.
/// <code>
///  column family   key                                            value
///  notifications   hash:32                                        Notification protobuf (§3.4)
///  by_tag          tag:32 ‖ timestamp:8 ‖ hash:32                 protobuf | —  exact-tag fetch
///  by_tag_value    tag:32 ‖ work value:8 ‖ timestamp:8 ‖ hash:32  —          per-tag cap: lowest first
///  by_expiry       expires_at:8 ‖ hash:32                         —          TTL sweep
///  by_worth        ~cost:16 ‖ expires_at:8 ‖ hash:32              —          global cap: least work per byte first (§6.4)
///  by_shard8       tag[0]:1 ‖ timestamp:8 ‖ hash:32               tag:32     prefix fetch, bits ≥ 8
///  by_time         timestamp:8 ‖ hash:32                          tag:32     prefix fetch, bits &lt; 8; sync
///  tag_counts      tag:32                                         count:u32  notifications per tag
///  meta            "schema" | "count" | "bytes"                   u32 | u64 | u64
/// </code>
/// A notification and all its entries are written or deleted in one WriteBatch, so no index
/// ever points at a missing notification, even after kill -9.
/// <para>
/// A <c>by_tag</c> entry carries a copy of the notification's §3.4 bytes (since 2026-12-05,
/// issue 13 item 5), so that the mailbox fetch, the hot read, is one iterator walk instead of a
/// point lookup in <c>notifications</c> per item (docs/BENCHMARKS.md "Fetch"); the price is
/// the stored bytes twice on disk. Entries written before carry an empty value and are read
/// through <c>notifications</c> as before: the layout is compatible both ways (an older node
/// never reads <c>by_tag</c> values), so the schema version did not change and no migration
/// runs; such entries go with their notifications' TTL.
/// </para>
/// </summary>
internal static class StoreSchema
{
    /// <summary>
    /// Recorded in meta; a store written by a newer schema is refused, an older one migrated.
    /// 2 added <see cref="ByWorth"/> (issue 12); a schema-1 store gets it rebuilt on open.
    /// </summary>
    public const uint Version = 2;

    public const string Notifications = "notifications";
    public const string ByTag = "by_tag";
    public const string ByTagValue = "by_tag_value";
    public const string ByExpiry = "by_expiry";
    public const string ByWorth = "by_worth";
    public const string ByShard8 = "by_shard8";
    public const string ByTime = "by_time";
    public const string TagCounts = "tag_counts";
    public const string Meta = "meta";

    public static readonly string[] ColumnFamilies = [Notifications, ByTag, ByTagValue, ByExpiry, ByWorth, ByShard8, ByTime, TagCounts, Meta];

    public static ReadOnlySpan<byte> SchemaKey => "schema"u8;
    public static ReadOnlySpan<byte> CountKey => "count"u8;
    public static ReadOnlySpan<byte> BytesKey => "bytes"u8;

    private const int H = NotificationHash.Size;
    private const int T = RecipientTag.Size;

    public const int ByTagKeySize = T + 8 + H;
    public const int ByTagValueKeySize = T + 8 + 8 + H;
    public const int ByExpiryKeySize = 8 + H;
    public const int ByWorthKeySize = 16 + 8 + H;

    /// <summary>One buffer of this size holds any index key.</summary>
    public const int LongestKeySize = ByTagValueKeySize;
    public const int ByShard8KeySize = 1 + 8 + H;
    public const int ByTimeKeySize = 8 + H;

    public static void WriteByTag(Span<byte> key, in StoredEntry e)
    {
        e.Tag.CopyTo(key);
        WriteTimeHash(key[T..], e.Timestamp, e.Hash);
    }

    public static void WriteByTagValue(Span<byte> key, in StoredEntry e)
    {
        e.Tag.CopyTo(key);
        BinaryPrimitives.WriteUInt64BigEndian(key[T..], e.Value);
        WriteTimeHash(key[(T + 8)..], e.Timestamp, e.Hash);
    }

    public static void WriteByExpiry(Span<byte> key, in StoredEntry e) => WriteTimeHash(key, e.ExpiresAt, e.Hash);

    /// <summary>
    /// NNRP.md §6.4 eviction order, ascending: the largest cost (least work per byte) first, then
    /// the earliest expiry, then the lowest hash. The cost is stored complemented so that
    /// RocksDB's ascending byte order is that order.
    /// </summary>
    public static void WriteByWorth(Span<byte> key, in StoredEntry e)
    {
        BinaryPrimitives.WriteUInt128BigEndian(key, UInt128.MaxValue - e.Cost);
        WriteTimeHash(key[16..], e.ExpiresAt, e.Hash);
    }

    /// <summary>The cost (§6.4) of the notification a <see cref="ByWorth"/> key names.</summary>
    public static UInt128 ReadWorthCost(ReadOnlySpan<byte> key) => UInt128.MaxValue - BinaryPrimitives.ReadUInt128BigEndian(key);

    /// <summary>The expires_at ‖ hash tail of a <see cref="ByWorth"/> key.</summary>
    public static ReadOnlySpan<byte> WorthTimeHash(ReadOnlySpan<byte> key) => key[16..];

    public static void WriteByShard8(Span<byte> key, in StoredEntry e)
    {
        Span<byte> tag = stackalloc byte[T];
        e.Tag.CopyTo(tag);
        key[0] = tag[0];
        WriteTimeHash(key[1..], e.Timestamp, e.Hash);
    }

    public static void WriteByTime(Span<byte> key, in StoredEntry e) => WriteTimeHash(key, e.Timestamp, e.Hash);

    /// <summary>time:8 BE ‖ hash:32, the tail every ordered index shares.</summary>
    public static void WriteTimeHash(Span<byte> destination, ulong time, NotificationHash hash)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, time);
        hash.CopyTo(destination[8..]);
    }

    public static ulong ReadTime(ReadOnlySpan<byte> timeHash) => BinaryPrimitives.ReadUInt64BigEndian(timeHash);

    public static NotificationHash ReadHash(ReadOnlySpan<byte> timeHash) => NotificationHash.FromBytes(timeHash.Slice(8, H));
}

/// <summary>Everything needed to write or delete one notification's entries.</summary>
internal readonly record struct StoredEntry(NotificationHash Hash, RecipientTag Tag, ulong Timestamp, ulong ExpiresAt, ulong Value, int Size)
{
    /// <summary>Its place in the global cap's order (NNRP.md §6.4).</summary>
    public UInt128 Cost => StoreWorth.Cost(Value, Size);

    public static StoredEntry Of(Notification n, NotificationHash hash, int encodedSize)
    {
        Span<byte> root = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(root);
        return new StoredEntry(hash, n.RecipientTag, n.Timestamp, n.ExpiresAt, Core.Work.ProofOfWork.Value(root, n.Work), encodedSize);
    }
}
