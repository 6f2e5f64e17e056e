using System.Buffers;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;
using RocksDbSharp;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// The node's side of a 1 000-item mailbox fetch, in-process, without sockets or scheduling:
/// both 500-item pages read from a RocksDB store and written as /nnrp/1.0 answers into a
/// buffer. Baseline: the path before docs/BENCHMARKS.md "Fetch" — decoded page, each item
/// converted to its protobuf message twice (size, then write). Then the stored bytes copied
/// as they are (<see cref="RocksDbNotificationStore.FetchEncoded"/> + <see cref="NnrpCodec.WriteFetchAsync"/>),
/// and the store reads alone — for the exact-tag read both from <c>by_tag</c> entries that carry
/// the stored bytes (one iterator walk) and from entries that do not, as older stores hold
/// them (a point lookup in <c>notifications</c> per item; the read before 2026-12-05).
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- micro --filter '*FetchPath*'</code>
/// </summary>
[MemoryDiagnoser]
public class FetchPathBenchmarks
{
    private const int MailboxSize = 1000;
    private const int PayloadSize = 256;

    private string _path = "";
    private RocksDbNotificationStore _store = null!;
    private RecipientTag _tag;
    private RecipientTag _olderTag;
    private ulong _now;
    private readonly ArrayBufferWriter<byte> _wire = new(1 << 20);

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "nnrp-fetch-bench-" + Guid.NewGuid().ToString("N"));
        _store = RocksDbNotificationStore.Open(_path);
        _tag = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(RecipientTag.Size));
        _olderTag = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(RecipientTag.Size));
        _now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (RecipientTag tag in (RecipientTag[])[_tag, _olderTag])
        {
            var mailbox = new Notification[MailboxSize];
            for (int i = 0; i < MailboxSize; i++)
            {
                mailbox[i] = new Notification(1, tag, _now, NotificationLimits.MaxTtl, RandomNumberGenerator.GetBytes(PayloadSize), (ulong)i);
            }
            _store.Put(mailbox);
        }
        _store.Dispose();
        StripByTagBytes(_path, _olderTag);
        _store = RocksDbNotificationStore.Open(_path);
    }

    /// <summary>Empties the <c>by_tag</c> values of one tag, as a store written before they carried the bytes.</summary>
    private static void StripByTagBytes(string path, RecipientTag tag)
    {
        var options = new DbOptions();
        var families = new ColumnFamilies();
        foreach (string name in RocksDb.ListColumnFamilies(options, path).Where(n => n != ColumnFamilies.DefaultName))
        {
            families.Add(name, new ColumnFamilyOptions());
        }
        using RocksDb db = RocksDb.Open(options, path, families);
        ColumnFamilyHandle byTag = db.GetColumnFamily("by_tag");
        byte[] prefix = tag.ToArray();
        var keys = new List<byte[]>();
        using (Iterator it = db.NewIterator(byTag))
        {
            for (it.Seek(prefix); it.Valid() && it.GetKeySpan().StartsWith(prefix); it.Next())
            {
                keys.Add(it.Key());
            }
        }
        keys.ForEach(k => db.Put(k, Array.Empty<byte>(), byTag));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_path, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "decode + re-encode per item (before)")]
    public int DecodeAndReencode()
    {
        _wire.ResetWrittenCount();
        NotificationPage first = _store.Fetch(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit), _now);
        NotificationPage second = _store.Fetch(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor.ToArray()), _now);
        foreach (NotificationPage page in (NotificationPage[])[first, second])
        {
            // What the old NnrpCodec.WriteFetchAsync did per item: ToProto for the size, ToProto again to write.
            foreach (Notification n in page.Notifications)
            {
                _ = NotificationProtobuf.ToProto(n).CalculateSize();
            }
            foreach (Notification n in page.Notifications)
            {
                Google.Protobuf.MessageExtensions.WriteTo(NotificationProtobuf.ToProto(n), _wire);
            }
        }
        return _wire.WrittenCount;
    }

    [Benchmark(Description = "stored bytes copied (after)")]
    public async Task<int> StoredBytes()
    {
        _wire.ResetWrittenCount();
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        byte[] cursor = [];
        for (int p = 0; p < 2; p++)
        {
            using EncodedPage page = _store.FetchEncoded(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit, cursor: cursor), _now);
            await NnrpCodec.WriteFetchAsync(pipe.Writer, page, page.NextCursor, TimeSpan.FromSeconds(5), CancellationToken.None);
            cursor = page.NextCursor.ToArray();
        }
        await pipe.Writer.CompleteAsync();
        System.IO.Pipelines.ReadResult read = await pipe.Reader.ReadAsync();
        long written = read.Buffer.Length;
        pipe.Reader.AdvanceTo(read.Buffer.End);
        return (int)written;
    }

    [Benchmark(Description = "store reads only, decoded (Fetch)")]
    public int StoreDecoded()
    {
        NotificationPage first = _store.Fetch(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit), _now);
        NotificationPage second = _store.Fetch(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor.ToArray()), _now);
        return first.Notifications.Count + second.Notifications.Count;
    }

    [Benchmark(Description = "store reads only, stored bytes (FetchEncoded)")]
    public int StoreEncoded()
    {
        using EncodedPage first = _store.FetchEncoded(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit), _now);
        using EncodedPage second = _store.FetchEncoded(FetchQuery.ForTag(_tag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor.ToArray()), _now);
        return first.Count + second.Count;
    }

    [Benchmark(Description = "store reads only, stored bytes, by_tag without them (older stores; the read before)")]
    public int StoreEncodedPointLookups()
    {
        using EncodedPage first = _store.FetchEncoded(FetchQuery.ForTag(_olderTag, limit: FetchQuery.MaxLimit), _now);
        using EncodedPage second = _store.FetchEncoded(FetchQuery.ForTag(_olderTag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor.ToArray()), _now);
        return first.Count + second.Count;
    }
}
