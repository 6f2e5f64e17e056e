using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Storage;

/// <summary>
/// The store rules against the in-memory store, which node behaviour tests run on; then the same
/// random operations against it and RocksDB side by side, every answer compared.
/// </summary>
public sealed class InMemoryNotificationStoreTests : NotificationStoreRules
{
    private const ulong Start = 1_767_225_600;

    protected override INotificationStore Open(StoreOptions options) => new InMemoryNotificationStore(options);

    [Theory]
    [InlineData(6, 40, 16)]
    [InlineData(1000, 25, 5)]
    [InlineData(3, 1_000_000, 20_000)]
    public void Answers_every_operation_as_the_RocksDB_store_does(int perTagCap, int maxItems, int maxScan)
    {
        int seed = Random.Shared.Next();
        var rng = new Random(seed);
        var options = new StoreOptions { PerTagCap = perTagCap, MaxBytes = maxItems * 250L, MaxScanPerPage = maxScan };
        using var dir = new TempDirectory();
        using RocksDbNotificationStore rocks = RocksDbNotificationStore.Open(Path.Combine(dir.Path, "store"), options);
        using var memory = new InMemoryNotificationStore(options);
        // Tags sharing first bytes and nibbles, so every prefix width has neighbours to exclude.
        RecipientTag[] tags = [TagStartingWith(0xab, 0x01), TagStartingWith(0xab, 0x02), TagStartingWith(0xab, 0xf0), TagStartingWith(0xa1), TagStartingWith(0x5c)];
        var sent = new List<Notification>();
        ulong now = Start;
        for (int step = 0; step < 400; step++)
        {
            string at = $"seed {seed}, step {step}";
            switch (rng.Next(10))
            {
                case < 5:
                    var group = new List<Notification>();
                    for (int i = rng.Next(1, 9); i > 0; i--)
                    {
                        group.Add(sent.Count > 0 && rng.Next(6) == 0
                            ? sent[rng.Next(sent.Count)]
                            : Make(tags[rng.Next(tags.Length)], timestamp: (long)now - rng.Next(300), ttl: (uint)(60 * rng.Next(1, 8)),
                                payloadSize: rng.Next(20, 400), work: (ulong)rng.NextInt64(long.MinValue, long.MaxValue)));
                    }
                    sent.AddRange(group);
                    Assert.True(rocks.Put(group).SequenceEqual(memory.Put(group)), at);
                    break;
                case 5:
                    now += (ulong)rng.Next(0, 90);
                    int max = rng.Next(1, 6);
                    Assert.True(rocks.SweepExpired(now, max) == memory.SweepExpired(now, max), at);
                    break;
                case < 9:
                    AssertSamePages(rocks, memory, RandomQuery(rng, tags, now), now - (ulong)rng.Next(0, 120), at);
                    break;
                default:
                    AssertSameState(rocks, memory, tags, at);
                    break;
            }
        }
        AssertSameState(rocks, memory, tags, $"seed {seed}, end");
    }

    private static FetchQuery RandomQuery(Random rng, RecipientTag[] tags, ulong now)
    {
        RecipientTag tag = tags[rng.Next(tags.Length)];
        byte[] bytes = tag.ToArray();
        int bits = new[] { 256, 16, 12, 8, 4, 0 }[rng.Next(6)];
        byte[] prefix = bytes[..((bits + 7) / 8)];
        if (bits % 8 != 0)
        {
            prefix[^1] &= (byte)(0xff << (8 - bits % 8));
        }
        var request = new Core.Protocol.FetchRequest
        {
            Since = rng.Next(3) == 0 ? now - (ulong)rng.Next(300) : 0,
            Limit = (uint)rng.Next(1, 12),
        };
        if (bits == FetchQuery.ExactBits)
        {
            request.RecipientTag = Google.Protobuf.ByteString.CopyFrom(bytes);
        }
        else
        {
            request.TagPrefix = new Core.Protocol.TagPrefix { Bits = (uint)bits, Prefix = Google.Protobuf.ByteString.CopyFrom(prefix) };
        }
        return FetchQuery.FromProto(request);
    }

    /// <summary>Pages through <paramref name="query"/> on both stores: the same items and the same cursor bytes, page by page.</summary>
    private static void AssertSamePages(INotificationStore rocks, INotificationStore memory, FetchQuery query, ulong now, string at)
    {
        for (int pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, at);
            NotificationPage expected = rocks.Fetch(query, now);
            NotificationPage actual = memory.Fetch(query, now);
            Assert.True(expected.Notifications.Select(n => n.Hash).SequenceEqual(actual.Notifications.Select(n => n.Hash)), $"{at}: page {pages} differs");
            Assert.True(expected.NextCursor.Span.SequenceEqual(actual.NextCursor.Span), $"{at}: cursor {pages} differs");
            if (!expected.HasMore)
            {
                return;
            }
            Core.Protocol.FetchRequest next = NnrpClient.ToProto(query);
            next.Cursor = Google.Protobuf.ByteString.CopyFrom(expected.NextCursor.Span);
            query = FetchQuery.FromProto(next);
        }
    }

    private static void AssertSameState(INotificationStore rocks, INotificationStore memory, RecipientTag[] tags, string at)
    {
        Assert.True(rocks.Statistics.Count == memory.Statistics.Count, at);
        Assert.True(rocks.Statistics.Bytes == memory.Statistics.Bytes, at);
        Assert.True(rocks.Floor == memory.Floor, at);
        Assert.All(tags, t => Assert.True(rocks.LowestValueOf(t) == memory.LowestValueOf(t), at));
        List<TimeKey> expected = [], actual = [];
        rocks.ReadTimeIndex(SyncBounds.Lowest, int.MaxValue, expected);
        memory.ReadTimeIndex(SyncBounds.Lowest, int.MaxValue, actual);
        Assert.True(expected.SequenceEqual(actual), at);
    }
}
