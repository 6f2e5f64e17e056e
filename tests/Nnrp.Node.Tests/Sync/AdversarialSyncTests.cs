using System.Security.Cryptography;
using Google.Protobuf;
using Nnrp.Core.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Sync.SyncHarness;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Node.Tests.Sync;

/// <summary>NNRP.md §11.8.4: a lying or broken peer ends the session or runs it out of budget, never forever.</summary>
public sealed class AdversarialSyncTests
{
    private static Fingerprint RandomFingerprint() => Fingerprint.FromBytes(RandomNumberGenerator.GetBytes(16));

    [Fact]
    public void Bogus_fingerprints_forever_end_within_the_round_budget()
    {
        var local = new MemorySyncSet(RandomKeys(10_000));
        // Always "different", always cut into 16 narrower ranges with random fingerprints.
        SyncSession session = Run(new SyncSession(local), request =>
        {
            var answer = new List<SyncRange>();
            foreach (SyncRange asked in request.Take(SyncLimits.MaxResponseRanges / SyncLimits.Buckets))
            {
                List<SyncRange> pieces = RangeSummary.Split(local.Range(asked.Lower, asked.Upper).ToArray(), asked.Lower, asked.Upper);
                if (pieces.Count > 1)
                {
                    answer.AddRange(pieces.Select(r => r with { Fingerprint = RandomFingerprint() }));
                }
            }
            int answered = Math.Min(request.Count, SyncLimits.MaxResponseRanges / SyncLimits.Buckets);
            return (answered, answer, Encode(request).Length + Encode(answer).Length);
        });
        // Ranges narrow every round until they cannot be cut, or the budget runs out first.
        Assert.True(session.IsComplete || session.IsOverBudget);
        Assert.True(session.Rounds <= SyncLimits.MaxRoundsPerSession);
        Assert.True(session.Bytes <= SyncLimits.MaxBytesPerSession + (2 * 1024 * 1024));
        Assert.Empty(session.Need);
    }

    [Fact]
    public void Endless_id_lists_cost_at_most_the_collection_cap()
    {
        var local = new MemorySyncSet(RandomKeys(100));
        SyncSession session = Run(new SyncSession(local), request =>
        {
            // Claims thousands of ids in the one range, then again in every resent range.
            var ids = Enumerable.Range(0, SyncLimits.ResponderIdListMax).Select(_ => RandomKey(0).Hash).Order().ToList();
            SyncRange[] answer = [SyncRange.WithIds(request[0].Lower, request[0].Upper, ids)];
            return (1, answer, 0);
        });
        Assert.True(session.IsComplete);
        Assert.Equal(SyncLimits.ResponderIdListMax, session.Need.Count);
    }

    [Fact]
    public void An_answer_outside_the_asked_ranges_ends_the_session()
    {
        var local = new MemorySyncSet(RandomKeys(1_000));
        var session = new SyncSession(local, new TimeKey(1_767_225_700, SyncBounds.Lowest.Hash));
        IReadOnlyList<SyncRange> request = session.NextRequest()!;
        SyncRange outside = SyncRange.WithIds(SyncBounds.Lowest, new TimeKey(5, SyncBounds.Lowest.Hash), []);
        Assert.Throws<SyncProtocolException>(() => session.Apply(1, [outside]));
        Assert.NotNull(request);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Answering_none_or_more_ranges_than_asked_ends_the_session(int answered)
    {
        var session = new SyncSession(new MemorySyncSet(RandomKeys(10)));
        session.NextRequest();
        Assert.Throws<SyncProtocolException>(() => session.Apply(answered, []));
    }

    [Fact]
    public void A_fingerprint_for_the_very_range_asked_is_no_progress_and_ends_the_session()
    {
        var session = new SyncSession(new MemorySyncSet(RandomKeys(1_000)));
        SyncRange asked = session.NextRequest()![0];
        Assert.Throws<SyncProtocolException>(() => session.Apply(1, [asked with { Fingerprint = RandomFingerprint() }]));
    }

    [Fact]
    public void More_than_sixteen_pieces_of_one_range_end_the_session()
    {
        var local = new MemorySyncSet(RandomKeys(1_000));
        var session = new SyncSession(local);
        SyncRange asked = session.NextRequest()![0];
        List<TimeKey> keys = local.Items.Take(SyncLimits.Buckets + 2).ToList();
        var pieces = keys.Zip(keys.Skip(1)).Select(p => SyncRange.WithFingerprint(p.First, p.Second, RandomFingerprint())).ToList();
        Assert.True(asked.Covers(pieces[0]));
        Assert.Throws<SyncProtocolException>(() => session.Apply(1, pieces));
    }

    [Fact]
    public void Random_truncated_and_oversized_messages_give_typed_errors()
    {
        var random = new Random(11);
        for (int i = 0; i < 3_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                // Valid framing with garbage inside: a well-formed message, then truncated or mutated.
                var message = new SyncReconcile();
                message.Ranges.Add(new Core.Protocol.SyncRange
                {
                    Lower = new SyncBound { Timestamp = (ulong)random.NextInt64(), IdPrefix = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(random.Next(0, 40))) },
                    Upper = new SyncBound { Timestamp = (ulong)random.NextInt64(), IdPrefix = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(random.Next(0, 40))) },
                    Ids = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(random.Next(0, 3) * 32 + random.Next(0, 2))),
                });
                bytes = message.ToByteArray();
                bytes = bytes[..random.Next(0, bytes.Length + 1)];
            }
            try
            {
                SyncReconcile parsed = SyncReconcile.Parser.ParseFrom(bytes);
                SyncWire.FromProto(parsed.Ranges, SyncLimits.MaxRequestRanges, SyncLimits.InitiatorIdListMax, 1_000);
            }
            catch (InvalidProtocolBufferException)
            {
            }
            catch (SyncProtocolException)
            {
            }
        }
        var tooMany = new SyncReconcile();
        for (int i = 0; i <= SyncLimits.MaxRequestRanges; i++)
        {
            tooMany.Ranges.Add(SyncWire.ToProto(SyncRange.WithIds(new TimeKey((ulong)i, SyncBounds.Lowest.Hash), new TimeKey((ulong)i + 1, SyncBounds.Lowest.Hash), [])));
        }
        Assert.Throws<SyncProtocolException>(() => SyncWire.FromProto(tooMany.Ranges, SyncLimits.MaxRequestRanges, SyncLimits.InitiatorIdListMax, 1_000));
    }

    [Fact]
    public void Malformed_ranges_are_refused_with_the_rule_named()
    {
        var lower = new SyncBound { Timestamp = 10 };
        var upper = new SyncBound { Timestamp = 20 };
        Core.Protocol.SyncRange[] cases =
        [
            new() { Lower = upper, Upper = lower, Fingerprint = ByteString.CopyFrom(new byte[16]) },
            new() { Lower = lower, Upper = upper, Fingerprint = ByteString.CopyFrom(new byte[15]) },
            new() { Lower = lower, Upper = upper, Ids = ByteString.CopyFrom(new byte[33]) },
            new() { Lower = lower, Upper = upper },
            new() { Upper = upper, Ids = ByteString.Empty },
            new() { Lower = new SyncBound { IdPrefix = ByteString.CopyFrom(new byte[33]) }, Upper = upper, Ids = ByteString.Empty },
            new() { Lower = lower, Upper = upper, Ids = ByteString.CopyFrom([.. new byte[31], 1, .. new byte[32]]) },
        ];
        foreach (Core.Protocol.SyncRange range in cases)
        {
            Assert.Throws<SyncProtocolException>(() => SyncWire.FromProto([range], 64, 32, 1_000));
        }
    }
}
