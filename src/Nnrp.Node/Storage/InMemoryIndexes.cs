using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Storage;

/// <summary>
/// The same orders <see cref="StoreSchema"/> keeps in RocksDB, as sorted sets in memory, so that
/// <see cref="InMemoryNotificationStore"/> walks them exactly as the RocksDB store walks its
/// column families:
/// <code>
///  set            order                                    serves
///  items          hash                                     get, dedupe
///  by_tag         tag → (timestamp, hash)                  exact-tag fetch
///  by_tag_value   tag → (work value, timestamp, hash)      per-tag cap: lowest first
///  by_expiry      (expires_at, hash)                       TTL sweep
///  by_worth       (cost desc, expires_at, hash)            global cap: least work per byte first (§6.4)
///  by_shard8      tag[0] → (timestamp, hash)               prefix fetch, bits ≥ 8
///  by_time        (timestamp, hash)                        prefix fetch, bits &lt; 8; sync (§11.8)
/// </code>
/// Not thread-safe: the store holds its lock around every call.
/// </summary>
internal sealed class InMemoryIndexes
{
    /// <summary>At or above every key of a (time, hash) order: the upper end of an open range.</summary>
    public static readonly TimeKey Highest = new(ulong.MaxValue, NotificationHash.FromBytes(Enumerable.Repeat((byte)0xff, NotificationHash.Size).ToArray()));

    /// <summary>by_tag_value's order: lowest work value, then oldest, then lowest hash.</summary>
    private static readonly Comparer<StoredEntry> ByValue = Comparer<StoredEntry>.Create((a, b) =>
    {
        int c = a.Value.CompareTo(b.Value);
        c = c != 0 ? c : a.Timestamp.CompareTo(b.Timestamp);
        return c != 0 ? c : a.Hash.CompareTo(b.Hash);
    });

    /// <summary>by_expiry's order: earliest expiry, then lowest hash.</summary>
    private static readonly Comparer<StoredEntry> ByExpiry = Comparer<StoredEntry>.Create((a, b) =>
    {
        int c = a.ExpiresAt.CompareTo(b.ExpiresAt);
        return c != 0 ? c : a.Hash.CompareTo(b.Hash);
    });

    /// <summary>by_worth's order (NNRP.md §6.4): largest cost first, then earliest expiry, then lowest hash.</summary>
    private static readonly Comparer<StoredEntry> ByWorth = Comparer<StoredEntry>.Create((a, b) =>
    {
        int c = b.Cost.CompareTo(a.Cost);
        c = c != 0 ? c : a.ExpiresAt.CompareTo(b.ExpiresAt);
        return c != 0 ? c : a.Hash.CompareTo(b.Hash);
    });

    private readonly Dictionary<NotificationHash, Item> _items = [];
    private readonly Dictionary<RecipientTag, TagIndex> _byTag = [];
    private readonly SortedSet<TimeKey>?[] _byShard8 = new SortedSet<TimeKey>?[256];
    private readonly SortedSet<TimeKey> _byTime = [];
    private readonly SortedSet<StoredEntry> _byExpiry = new(ByExpiry);
    private readonly SortedSet<StoredEntry> _byWorth = new(ByWorth);

    /// <summary>A stored notification with its index fields (computed once, on the way in).</summary>
    public sealed record Item(Notification Notification, StoredEntry Entry);

    private sealed class TagIndex
    {
        public SortedSet<TimeKey> ByTime { get; } = [];

        public SortedSet<StoredEntry> ByValue { get; } = new(InMemoryIndexes.ByValue);
    }

    public int Count => _items.Count;

    /// <summary>Sum of the stored notifications' encoded sizes.</summary>
    public long Bytes { get; private set; }

    public bool Contains(NotificationHash hash) => _items.ContainsKey(hash);

    public Item? Get(NotificationHash hash) => _items.GetValueOrDefault(hash);

    public int TagCount(RecipientTag tag) => _byTag.TryGetValue(tag, out TagIndex? index) ? index.ByTime.Count : 0;

    /// <summary>The tag's entries, lowest work value first (by_tag_value).</summary>
    public IEnumerable<StoredEntry> LowestOfTag(RecipientTag tag) =>
        _byTag.TryGetValue(tag, out TagIndex? index) ? index.ByValue : [];

    /// <summary>Every entry in eviction order (by_worth).</summary>
    public IEnumerable<StoredEntry> LeastWorthFirst => _byWorth;

    /// <summary>The cost of the first entry to go; 0 when empty.</summary>
    public UInt128 LeastWorthCost => _byWorth.Count == 0 ? 0 : _byWorth.Min.Cost;

    /// <summary>Every entry, earliest expiry first (by_expiry).</summary>
    public IEnumerable<StoredEntry> EarliestExpiryFirst => _byExpiry;

    /// <summary>by_tag for one tag; null when the tag holds nothing.</summary>
    public SortedSet<TimeKey>? TagTimes(RecipientTag tag) => _byTag.TryGetValue(tag, out TagIndex? index) ? index.ByTime : null;

    /// <summary>by_shard8 for one first byte; null when no stored tag starts with it.</summary>
    public SortedSet<TimeKey>? ShardTimes(byte first) => _byShard8[first];

    /// <summary>by_time: every entry.</summary>
    public SortedSet<TimeKey> Times => _byTime;

    public void Add(Item item)
    {
        StoredEntry e = item.Entry;
        var time = new TimeKey(e.Timestamp, e.Hash);
        _items.Add(e.Hash, item);
        if (!_byTag.TryGetValue(e.Tag, out TagIndex? tag))
        {
            tag = new TagIndex();
            _byTag.Add(e.Tag, tag);
        }
        tag.ByTime.Add(time);
        tag.ByValue.Add(e);
        (_byShard8[FirstByte(e.Tag)] ??= []).Add(time);
        _byTime.Add(time);
        _byExpiry.Add(e);
        _byWorth.Add(e);
        Bytes += e.Size;
    }

    public void Remove(StoredEntry e)
    {
        if (!_items.Remove(e.Hash))
        {
            return;
        }
        var time = new TimeKey(e.Timestamp, e.Hash);
        TagIndex tag = _byTag[e.Tag];
        tag.ByTime.Remove(time);
        tag.ByValue.Remove(e);
        if (tag.ByTime.Count == 0)
        {
            _byTag.Remove(e.Tag);
        }
        byte first = FirstByte(e.Tag);
        SortedSet<TimeKey> shard = _byShard8[first]!;
        shard.Remove(time);
        if (shard.Count == 0)
        {
            _byShard8[first] = null;
        }
        _byTime.Remove(time);
        _byExpiry.Remove(e);
        _byWorth.Remove(e);
        Bytes -= e.Size;
    }

    public void Clear()
    {
        _items.Clear();
        _byTag.Clear();
        Array.Clear(_byShard8);
        _byTime.Clear();
        _byExpiry.Clear();
        _byWorth.Clear();
        Bytes = 0;
    }

    private static byte FirstByte(RecipientTag tag)
    {
        Span<byte> bytes = stackalloc byte[RecipientTag.Size];
        tag.CopyTo(bytes);
        return bytes[0];
    }
}
