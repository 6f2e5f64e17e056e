using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using RocksDbSharp;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

/// <summary>
/// <c>by_tag</c> entries carry the notification's stored bytes so that the exact-tag fetch is
/// one iterator walk (<see cref="StoreSchema"/>, docs/BENCHMARKS.md "Fetch"); entries written
/// before carry none, and a store holding them opens and serves the same pages.
/// </summary>
public sealed class StoreByTagBytesTests : IDisposable
{
    private const ulong Now = 1_767_225_600;
    private readonly StoreFixture _f = new(new StoreOptions { MaxScanPerPage = 16 });

    public void Dispose() => _f.Dispose();

    [Fact]
    public void A_new_by_tag_entry_holds_the_same_bytes_as_its_notification()
    {
        Notification n = Make(RandomTag(), timestamp: (long)Now, payloadSize: 120);
        _f.Store.Put([n]);
        _f.Store.Dispose();

        using RocksDb db = OpenRaw(_f.Path);
        byte[] stored = db.Get(n.Hash.ToArray(), db.GetColumnFamily(StoreSchema.Notifications));
        using Iterator it = db.NewIterator(db.GetColumnFamily(StoreSchema.ByTag));
        it.SeekToFirst();
        Assert.True(it.Valid());
        Assert.Equal(NotificationProtobuf.Encode(n), stored);
        Assert.Equal(stored, it.Value());
    }

    [Fact]
    public void A_store_whose_by_tag_entries_carry_no_bytes_serves_the_same_pages()
    {
        RecipientTag tag = RandomTag();
        // Every fifth has ttl 60 and is expired at the reading time; some share a timestamp.
        Notification[] old = Enumerable.Range(0, 30)
            .Select(i => Make(tag, timestamp: (long)Now - i % 7, ttl: i % 5 == 0 ? 60 : NotificationLimits.DefaultTtl, payloadSize: i * 41 % 280))
            .ToArray();
        _f.Store.Put([.. old, Make(RandomTag())]);
        ulong now = Now + 100;
        List<(byte[][] Items, byte[] Cursor)> before = ReadAll(tag, now);
        _f.Store.Dispose();
        Assert.Equal(old.Length + 1, StripByTagBytes(_f.Path));

        _f.Reopen();
        _f.AssertConsistent();
        Assert.Equal(before, ReadAll(tag, now), PageComparer.Instance);

        // Entries written after the upgrade carry their bytes; both kinds share one walk.
        Notification[] fresh = Enumerable.Range(0, 10).Select(i => Make(tag, timestamp: (long)Now - i)).ToArray();
        _f.Store.Put(fresh);
        _f.AssertConsistent();
        byte[][] all = ReadAll(tag, now).SelectMany(p => p.Items).ToArray();
        Assert.Equal(
            old.Concat(fresh).Where(n => n.ExpiresAt > now).OrderBy(n => n.Timestamp).ThenBy(n => n.Hash).Select(NotificationProtobuf.Encode),
            all);

        // The sweep and the caps still find and delete the old entries.
        Assert.Equal(old.Count(n => n.ExpiresAt <= now), _f.Store.SweepExpired(now, 1_000));
        _f.AssertConsistent();
    }

    [Fact]
    public void The_consistency_check_reports_a_by_tag_entry_whose_bytes_differ()
    {
        Notification n = Make(RandomTag(), timestamp: (long)Now);
        _f.Store.Put([n]);
        _f.Store.Dispose();
        using (RocksDb db = OpenRaw(_f.Path))
        {
            ColumnFamilyHandle byTag = db.GetColumnFamily(StoreSchema.ByTag);
            using Iterator it = db.NewIterator(byTag);
            it.SeekToFirst();
            db.Put(it.Key(), NotificationProtobuf.Encode(Make(RandomTag())), byTag);
        }

        _f.Reopen();
        Assert.Contains(_f.Store.CheckConsistency(), p => p.Contains("carries other bytes", StringComparison.Ordinal));
    }

    /// <summary>Every page of the tag's mailbox, 7 at a time, through both reads (which must agree).</summary>
    private List<(byte[][] Items, byte[] Cursor)> ReadAll(RecipientTag tag, ulong now)
    {
        var pages = new List<(byte[][], byte[])>();
        ReadOnlyMemory<byte> cursor = ReadOnlyMemory<byte>.Empty;
        do
        {
            FetchQuery query = FetchQuery.ForTag(tag, limit: 7, cursor: cursor.ToArray());
            NotificationPage decoded = _f.Store.Fetch(query, now);
            using EncodedPage encoded = _f.Store.FetchEncoded(query, now);
            byte[][] items = encoded.Select(e => e.ToArray()).ToArray();
            Assert.Equal(decoded.Notifications.Select(NotificationProtobuf.Encode), items);
            Assert.Equal(decoded.NextCursor.ToArray(), encoded.NextCursor.ToArray());
            cursor = encoded.NextCursor.ToArray();
            pages.Add((items, cursor.ToArray()));
        }
        while (!cursor.IsEmpty && pages.Count < 100);
        Assert.True(pages.Count > 2, "the walk took several pages");
        return pages;
    }

    /// <summary>What a node before this layout wrote: every by_tag value empty. Returns the entries rewritten.</summary>
    private static int StripByTagBytes(string path)
    {
        using RocksDb db = OpenRaw(path);
        ColumnFamilyHandle byTag = db.GetColumnFamily(StoreSchema.ByTag);
        var keys = new List<byte[]>();
        using (Iterator it = db.NewIterator(byTag))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                keys.Add(it.Key());
            }
        }
        keys.ForEach(k => db.Put(k, Array.Empty<byte>(), byTag));
        return keys.Count;
    }

    private static RocksDb OpenRaw(string path)
    {
        var options = new DbOptions();
        var families = new ColumnFamilies();
        foreach (string name in RocksDb.ListColumnFamilies(options, path).Where(n => n != ColumnFamilies.DefaultName))
        {
            families.Add(name, new ColumnFamilyOptions());
        }
        return RocksDb.Open(options, path, families);
    }

    private sealed class PageComparer : IEqualityComparer<(byte[][] Items, byte[] Cursor)>
    {
        public static readonly PageComparer Instance = new();

        public bool Equals((byte[][] Items, byte[] Cursor) x, (byte[][] Items, byte[] Cursor) y) =>
            x.Cursor.AsSpan().SequenceEqual(y.Cursor) && x.Items.Length == y.Items.Length
            && x.Items.Zip(y.Items).All(p => p.First.AsSpan().SequenceEqual(p.Second));

        public int GetHashCode((byte[][] Items, byte[] Cursor) obj) => obj.Items.Length;
    }
}
