using Nnrp.Libp2p.Identity;
using Nnrp.Node.Storage;
using Nnrp.Node.Shards;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Sync.SyncHarness;

namespace Nnrp.Node.Tests.Sync;

/// <summary>Issue 12 attack 7, NNRP.md §11.8.7: what the initiator keeps per peer is bounded and expires.</summary>
public sealed class SessionLedgerTests
{
    private static readonly SyncOptions Options = new();

    private static PeerId NewPeer() => KeyPair.Generate().PeerId;

    [Fact]
    public void A_peer_is_synced_at_most_once_per_interval_and_forgotten_after_it()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        var ledger = new SessionLedger(Options, clock);
        PeerId peer = NewPeer();
        Assert.True(ledger.TryStart(peer));
        Assert.False(ledger.IsDue(peer));
        Assert.False(ledger.TryStart(peer));
        clock.Advance(Options.MinPeerInterval);
        Assert.True(ledger.IsDue(peer));
        ledger.Prune();
        Assert.Equal(0, ledger.TrackedPeers);
    }

    [Fact]
    public void Session_starts_are_remembered_for_a_bounded_number_of_peers()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        var ledger = new SessionLedger(Options, clock);
        for (int i = 0; i < SyncLimits.MaxTrackedPeers; i++)
        {
            Assert.True(ledger.TryStart(NewPeer()));
        }
        // Full of peers synced just now: a newcomer waits rather than grow the ledger.
        Assert.False(ledger.TryStart(NewPeer()));
        Assert.Equal(SyncLimits.MaxTrackedPeers, ledger.TrackedPeers);
        clock.Advance(Options.MinPeerInterval);
        Assert.True(ledger.TryStart(NewPeer()));
        Assert.Equal(1, ledger.TrackedPeers);
    }

    [Fact]
    public void Resume_state_is_capped_in_shards_and_ranges_and_expires()
    {
        var clock = ManualClock.AtUnix(1_767_225_600);
        var ledger = new SessionLedger(Options, clock);
        const int Open = 4 * SyncLimits.MaxResumeRanges;
        List<TimeKey> keys = RandomKeys(2 * Open);
        keys.Sort();
        List<(TimeKey Lower, TimeKey Upper)> ranges = Enumerable.Range(0, Open)
            .Select(i => (keys[2 * i], keys[(2 * i) + 1])).Reverse().ToList();
        var first = new ShardId(8, 0);
        ledger.Save(first, ranges);
        for (uint i = 1; i <= 2 * SyncLimits.MaxResumeShards; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            ledger.Save(new ShardId(8, i), ranges.Take(3).ToList());
        }
        Assert.Equal(SyncLimits.MaxResumeShards, ledger.ResumeShards);
        Assert.Null(ledger.TakeResume(first));        // the oldest made room

        ShardId shard = ShardId.Full;
        ledger.Save(shard, ranges);
        IReadOnlyList<(TimeKey Lower, TimeKey Upper)> kept = ledger.TakeResume(shard)!;
        Assert.Equal(SyncLimits.MaxResumeRanges, kept.Count);
        // Merged, not dropped: every open range is still covered.
        Assert.All(ranges, r => Assert.Contains(kept, k => k.Lower <= r.Lower && r.Upper <= k.Upper));

        ledger.Save(shard, ranges.Take(5).ToList());
        clock.Advance(Options.ResumeWindow);
        Assert.Null(ledger.TakeResume(shard));
        ledger.Prune();
        Assert.Equal(0, ledger.ResumeShards);
    }
}
