using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Sync.SyncHarness;

namespace Nnrp.Node.Tests.Sync;

/// <summary>NNRP.md §11.8.4: two sets converge on their exact differences in few rounds and few bytes.</summary>
public sealed class ReconciliationTests
{
    // Issue 12 attack 7 changed this from "one round of one fingerprint whatever the size": that
    // round made each side walk everything. Now a request covers at most a few chunks (§11.8.3).
    [Fact]
    public void Identical_sets_settle_in_one_small_round_per_request_worth_of_items()
    {
        List<TimeKey> keys = RandomKeys(20_000);
        var a = new MemorySyncSet(keys);
        var b = new MemorySyncSet(keys);
        SyncSession session = Reconcile(a, b);
        AssertFoundDifferences(a, b, session);
        int rounds = (keys.Count + SyncLimits.InitiatorItemsPerRequest - 1) / SyncLimits.InitiatorItemsPerRequest;
        Assert.Equal(rounds, session.Rounds);
        Assert.True(session.Bytes < 300 * rounds, $"{session.Bytes} bytes");
    }

    [Fact]
    public void A_small_set_still_settles_in_one_round_of_one_fingerprint()
    {
        List<TimeKey> keys = RandomKeys(SyncLimits.InitiatorChunk);
        SyncSession session = Reconcile(new MemorySyncSet(keys), new MemorySyncSet(keys));
        Assert.Equal(1, session.Rounds);
        Assert.True(session.Bytes < 200, $"{session.Bytes} bytes");
    }

    [Fact]
    public void Two_empty_sets_settle_at_once()
    {
        SyncSession session = Reconcile(new MemorySyncSet([]), new MemorySyncSet([]));
        Assert.True(session.IsComplete);
        Assert.Empty(session.Need);
        Assert.Empty(session.Offer);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void One_difference_among_many_is_found_in_few_rounds_and_few_KiB(bool initiatorLacksIt)
    {
        List<TimeKey> keys = RandomKeys(200_000);
        TimeKey odd = keys[123_456];
        var full = new MemorySyncSet(keys);
        var partial = new MemorySyncSet(keys.Where(k => k != odd));
        (MemorySyncSet a, MemorySyncSet b) = initiatorLacksIt ? (partial, full) : (full, partial);
        SyncSession session = Reconcile(a, b);
        AssertFoundDifferences(a, b, session);
        Assert.Single(initiatorLacksIt ? session.Need : session.Offer);
        // One round per request's worth of items (§11.8.3), the difference found on the way.
        int chunks = (keys.Count + SyncLimits.InitiatorItemsPerRequest - 1) / SyncLimits.InitiatorItemsPerRequest;
        Assert.True(session.Rounds <= chunks + 6, $"{session.Rounds} rounds");
        Assert.True(session.Bytes < 16 * 1024, $"{session.Bytes} bytes");
    }

    [Fact]
    public void Many_differences_on_both_sides_are_all_found()
    {
        List<TimeKey> keys = RandomKeys(30_000);
        var random = new Random(7);
        var a = new MemorySyncSet(keys.Where(_ => random.Next(10) != 0));
        var b = new MemorySyncSet(keys.Where(_ => random.Next(10) != 0));
        AssertFoundDifferences(a, b, Reconcile(a, b));
    }

    [Fact]
    public void All_different_disjoint_sets_exchange_everything()
    {
        var a = new MemorySyncSet(RandomKeys(5_000));
        var b = new MemorySyncSet(RandomKeys(5_000));
        SyncSession session = Reconcile(a, b);
        AssertFoundDifferences(a, b, session);
        Assert.Equal(5_000, session.Need.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_empty_side_learns_or_offers_everything(bool initiatorEmpty)
    {
        var full = new MemorySyncSet(RandomKeys(12_000));
        var empty = new MemorySyncSet([]);
        (MemorySyncSet a, MemorySyncSet b) = initiatorEmpty ? (empty, full) : (full, empty);
        AssertFoundDifferences(a, b, Reconcile(a, b));
    }

    [Fact]
    public void Items_sharing_one_timestamp_are_separated_by_hash_prefixes()
    {
        List<TimeKey> keys = RandomKeys(5_000, perSecond: int.MaxValue);
        var a = new MemorySyncSet(keys.Skip(1));
        var b = new MemorySyncSet(keys.SkipLast(1));
        AssertFoundDifferences(a, b, Reconcile(a, b));
    }

    [Fact]
    public void A_session_limited_to_items_from_a_time_on_ignores_older_ones()
    {
        List<TimeKey> keys = RandomKeys(1_000, perSecond: 1);
        var a = new MemorySyncSet(keys.Skip(10));
        var b = new MemorySyncSet(keys);
        SyncSession session = Run(new SyncSession(a, new TimeKey(keys[500].Timestamp, SyncBounds.Lowest.Hash)), Honest(b));
        Assert.True(session.IsComplete);
        Assert.Empty(session.Need);
    }

    [Fact]
    public void A_stopped_session_resumes_from_its_remaining_ranges()
    {
        List<TimeKey> keys = RandomKeys(50_000);
        var random = new Random(3);
        var a = new MemorySyncSet(keys.Where(_ => random.Next(50) != 0));
        var b = new MemorySyncSet(keys);
        var first = new SyncSession(a);
        var respond = Honest(b);
        for (int i = 0; i < 2 && first.NextRequest() is { } request; i++)
        {
            (int answered, IReadOnlyList<Nnrp.Protocol.Sync.SyncRange> ranges, _) = respond(request);
            first.Apply(answered, ranges);
        }
        Assert.False(first.IsComplete);
        SyncSession second = Run(SyncSession.Resume(a, first.Remaining), respond);
        Assert.True(second.IsComplete);
        var need = first.Need.Concat(second.Need).ToHashSet();
        Assert.Equal(b.Items.Select(k => k.Hash).Except(a.Items.Select(k => k.Hash)).Order(), need.Order());
    }

    [Fact]
    public void Fingerprints_depend_on_every_id_and_the_count()
    {
        List<TimeKey> keys = RandomKeys(3);
        Fingerprint all = Fingerprint.Of(keys.Select(k => k.Hash));
        Assert.NotEqual(all, Fingerprint.Of(keys.Take(2).Select(k => k.Hash)));
        Assert.NotEqual(Fingerprint.Of([]), Fingerprint.Of([keys[0].Hash]));
        Assert.Equal(all, Fingerprint.Of(keys.Select(k => k.Hash).ToList()));
    }

    [Fact]
    public void Bounds_between_neighbours_are_as_short_as_possible_and_separate_them()
    {
        List<TimeKey> keys = RandomKeys(2_000, perSecond: 50);
        keys.Sort();
        for (int i = 1; i < keys.Count; i++)
        {
            TimeKey bound = SyncBounds.Between(keys[i - 1], keys[i]);
            Assert.True(keys[i - 1] < bound && bound <= keys[i]);
            Assert.Equal(bound, SyncBounds.FromProto(SyncBounds.ToProto(bound)));
            Assert.True(SyncBounds.ToProto(bound).IdPrefix.Length <= 4);
        }
    }

    // A range cut into a chunk that did not fit the request stayed queued still covering the
    // rest, which was queued too: the resumed session sent overlapping ranges (§11.8.3 forbids).
    [Fact]
    public void A_stopped_session_leaves_disjoint_ranges_to_resume()
    {
        List<TimeKey> keys = RandomKeys(5 * SyncLimits.InitiatorChunk);
        var mine = new MemorySyncSet(keys);
        var session = new SyncSession(mine);
        IReadOnlyList<Nnrp.Protocol.Sync.SyncRange> request = session.NextRequest()!;
        SyncAnswer answer = SyncResponder.Answer(new MemorySyncSet(keys), request);
        session.Apply(answer.Answered, answer.Ranges);

        List<(TimeKey Lower, TimeKey Upper)> remaining = [.. session.Remaining.OrderBy(r => r.Lower)];
        Assert.NotEmpty(remaining);
        for (int i = 1; i < remaining.Count; i++)
        {
            Assert.True(remaining[i - 1].Upper <= remaining[i].Lower, "resume ranges overlap");
        }
        SyncSession resumed = Run(SyncSession.Resume(mine, remaining), Honest(new MemorySyncSet(keys)));
        Assert.True(resumed.IsComplete);
    }
}
