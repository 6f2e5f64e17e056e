using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Sync.SyncHarness;

namespace Nnrp.Node.Tests.Sync;

/// <summary>
/// NNRP.md §11.8.3 "Recent first": a session settles the last hour, day and week before older
/// history, so what a returning node missed comes in its first rounds, however large the shard.
/// </summary>
public sealed class RecentFirstTests
{
    private const ulong Now = 1_767_225_600;
    private const ulong Day = 24 * 60 * 60;

    /// <summary>History both sides hold (8 to 30 days old), and the same 200 items of the last half hour.</summary>
    private static (List<TimeKey> Old, List<TimeKey> Recent) Shared()
    {
        List<TimeKey> old = RandomKeys(50_000, firstTimestamp: Now - (30 * Day), perSecond: 1)
            .Where(k => k.Timestamp < Now - (8 * Day)).ToList();
        List<TimeKey> recent = RandomKeys(200, firstTimestamp: Now - 1800, perSecond: 1);
        return (old, recent);
    }

    [Fact]
    public void What_the_peer_got_in_the_last_hour_is_needed_after_the_first_round()
    {
        (List<TimeKey> old, List<TimeKey> recent) = Shared();
        List<TimeKey> missed = RandomKeys(10, firstTimestamp: Now - 600, perSecond: 1);
        var mine = new MemorySyncSet([.. old, .. recent]);
        var theirs = new MemorySyncSet([.. old, .. recent, .. missed]);

        var session = new SyncSession(mine, now: Now);
        IReadOnlyList<SyncRange> request = session.NextRequest()!;
        SyncAnswer answer = SyncResponder.Answer(theirs, request);
        session.Apply(answer.Answered, answer.Ranges);

        Assert.Equal(missed.Select(k => k.Hash).Order(), session.Need.Order());
    }

    [Fact]
    public void A_session_out_of_rounds_has_still_settled_the_recent_tiers()
    {
        (List<TimeKey> old, List<TimeKey> recent) = Shared();
        List<TimeKey> missed = RandomKeys(10, firstTimestamp: Now - (2 * Day), perSecond: 1);
        var mine = new MemorySyncSet([.. old, .. recent]);
        var theirs = new MemorySyncSet([.. old, .. recent, .. missed]);

        // Three rounds: far too few for 40 000 items of history (§11.8.3: 12 288 per round).
        var session = new SyncSession(mine, now: Now);
        for (int round = 0; round < 3 && session.NextRequest() is { } request; round++)
        {
            SyncAnswer answer = SyncResponder.Answer(theirs, request);
            session.Apply(answer.Answered, answer.Ranges);
        }

        Assert.False(session.IsComplete);
        Assert.Equal(missed.Select(k => k.Hash).Order(), session.Need.Order());
    }

    [Fact]
    public void Tiers_find_every_difference_old_and_new_in_both_directions()
    {
        (List<TimeKey> old, List<TimeKey> recent) = Shared();
        List<TimeKey> theirsOnly = [.. RandomKeys(5, firstTimestamp: Now - 300), .. RandomKeys(5, firstTimestamp: Now - (3 * Day)), old[7]];
        List<TimeKey> mineOnly = [.. RandomKeys(5, firstTimestamp: Now - 5000), .. RandomKeys(5, firstTimestamp: Now - (20 * Day))];
        var mine = new MemorySyncSet([.. old.Where(k => k != old[7]), .. recent, .. mineOnly]);
        var theirs = new MemorySyncSet([.. old, .. recent, .. theirsOnly]);

        SyncSession session = Run(new SyncSession(mine, now: Now), Honest(theirs));

        AssertFoundDifferences(mine, theirs, session);
    }

    [Fact]
    public void Tiered_and_untiered_sessions_cost_the_same_rounds_on_equal_sets()
    {
        (List<TimeKey> old, List<TimeKey> recent) = Shared();
        var a = new MemorySyncSet([.. old, .. recent]);
        var b = new MemorySyncSet([.. old, .. recent]);

        SyncSession tiered = Run(new SyncSession(a, now: Now), Honest(b));
        SyncSession plain = Run(new SyncSession(a), Honest(b));

        Assert.True(tiered.IsComplete);
        // One request's worth of items per round either way; the tier edges add at most one round each.
        Assert.InRange(tiered.Rounds, plain.Rounds, plain.Rounds + SyncSession.RecentTierAges.Length);
    }

    [Fact]
    public void A_start_inside_the_recent_tiers_drops_the_older_ones()
    {
        List<TimeKey> keys = RandomKeys(100, firstTimestamp: Now - 3000, perSecond: 1);
        var mine = new MemorySyncSet(keys.Take(90));
        var theirs = new MemorySyncSet(keys);

        SyncSession session = Run(new SyncSession(mine, from: new TimeKey(Now - 2000, SyncBounds.Lowest.Hash), now: Now), Honest(theirs));

        Assert.True(session.IsComplete);
        Assert.Equal(keys.Skip(90).Where(k => k.Timestamp >= Now - 2000).Select(k => k.Hash).Order(), session.Need.Order());
    }

    [Fact]
    public void A_resumed_session_settles_what_arrived_since_the_stop_before_the_saved_history()
    {
        (List<TimeKey> old, List<TimeKey> recent) = Shared();
        List<TimeKey> missedOld = RandomKeys(5, firstTimestamp: Now - (20 * Day), perSecond: 1);
        List<TimeKey> arrived = RandomKeys(5, firstTimestamp: Now - 120, perSecond: 1);
        var mine = new MemorySyncSet([.. old, .. recent]);
        var theirs = new MemorySyncSet([.. old, .. recent, .. missedOld, .. arrived]);
        // A first session (with another peer) stopped after its recent tiers: history is left.
        var first = new SyncSession(mine, now: Now - 600);
        SyncAnswer a = SyncResponder.Answer(new MemorySyncSet([.. old, .. recent]), first.NextRequest()!);
        first.Apply(a.Answered, a.Ranges);
        Assert.False(first.IsComplete);

        var resumed = SyncSession.Resume(mine, first.Remaining, recent: new TimeKey(Now - Day, SyncBounds.Lowest.Hash));
        SyncAnswer b = SyncResponder.Answer(theirs, resumed.NextRequest()!);
        resumed.Apply(b.Answered, b.Ranges);
        Assert.Equal(arrived.Select(k => k.Hash).Order(), resumed.Need.Order());

        Run(resumed, Honest(theirs));
        Assert.True(resumed.IsComplete);
        Assert.Equal(arrived.Concat(missedOld).Select(k => k.Hash).Order(), resumed.Need.Order());
    }
}
