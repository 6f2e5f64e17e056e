using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.RoutingTable;

namespace Nnrp.Libp2p.Tests.Kad;

public class RoutingTableTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (KadRoutingTable Table, ManualTime Time) NewTable(int bucketSize = 20, int replacements = 8)
    {
        var time = new ManualTime();
        var options = new RoutingTableOptions { BucketSize = bucketSize, ReplacementCacheSize = replacements };
        return (new KadRoutingTable(KadTestPeers.RandomKey(), options, time), time);
    }

    [Fact]
    public void Peer_goes_to_the_bucket_of_its_common_prefix_length()
    {
        var (table, _) = NewTable();
        for (int cpl = 0; cpl < 6; cpl++)
        {
            KadPeer peer = KadTestPeers.InBucket(table.LocalKey, cpl);
            Assert.Equal(RoutingTableUpdateKind.Added, table.TryAdd(peer).Kind);
            Assert.Equal(cpl, table.BucketIndexOf(peer.Key));
            Assert.Contains(peer, table.BucketMembers(cpl));
        }
        Assert.Equal(6, table.Count);
    }

    [Fact]
    public void Own_key_is_never_stored()
    {
        var (table, _) = NewTable();
        KadPeer peer = KadTestPeers.Random();
        var self = new KadRoutingTable(peer.Key);
        Assert.Equal(RoutingTableUpdateKind.Rejected, self.TryAdd(peer).Kind);
        Assert.Equal(0, self.Count);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Seen_again_peer_moves_to_the_most_recently_seen_end()
    {
        var (table, _) = NewTable();
        KadPeer a = KadTestPeers.InBucket(table.LocalKey, 0), b = KadTestPeers.InBucket(table.LocalKey, 0);
        table.TryAdd(a);
        table.TryAdd(b);
        Assert.Equal(RoutingTableUpdateKind.Refreshed, table.TryAdd(a).Kind);
        Assert.Equal([b, a], table.BucketMembers(0));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Full_bucket_caches_newcomer_while_members_are_fresh()
    {
        var (table, _) = NewTable(bucketSize: 2);
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 0));
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 0));
        KadPeer late = KadTestPeers.InBucket(table.LocalKey, 0);
        Assert.Equal(RoutingTableUpdateKind.Cached, table.TryAdd(late).Kind);
        Assert.DoesNotContain(late, table.BucketMembers(0));
        Assert.Equal([late], table.BucketReplacements(0));
    }

    [Fact]
    public void Full_bucket_asks_to_probe_its_stale_least_recently_seen_member()
    {
        var (table, time) = NewTable(bucketSize: 2);
        KadPeer oldest = KadTestPeers.InBucket(table.LocalKey, 0);
        table.TryAdd(oldest);
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 0));
        time.Now += table.Options.StaleAfter;
        RoutingTableUpdate update = table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 0));
        Assert.Equal(RoutingTableUpdateKind.PendingProbe, update.Kind);
        Assert.Equal(oldest, update.Probe);
    }

    [Fact]
    public void Failed_probe_evicts_the_stale_peer_and_promotes_the_newest_replacement()
    {
        var (table, time) = NewTable(bucketSize: 2);
        KadPeer oldest = KadTestPeers.InBucket(table.LocalKey, 0);
        KadPeer other = KadTestPeers.InBucket(table.LocalKey, 0);
        table.TryAdd(oldest);
        table.TryAdd(other);
        time.Now += table.Options.StaleAfter;
        KadPeer first = KadTestPeers.InBucket(table.LocalKey, 0), second = KadTestPeers.InBucket(table.LocalKey, 0);
        table.TryAdd(first);
        RoutingTableUpdate update = table.TryAdd(second);
        var removed = new List<KadPeer>();
        table.PeerRemoved += removed.Add;

        Assert.True(table.Remove(update.Probe!.Key));

        Assert.Equal([oldest], removed);
        Assert.Equal([second, other], table.BucketMembers(0));
        Assert.Equal([first], table.BucketReplacements(0));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Answered_probe_keeps_the_member_and_the_newcomer_waits()
    {
        var (table, time) = NewTable(bucketSize: 1);
        KadPeer member = KadTestPeers.InBucket(table.LocalKey, 0);
        table.TryAdd(member);
        time.Now += table.Options.StaleAfter;
        KadPeer newcomer = KadTestPeers.InBucket(table.LocalKey, 0);
        Assert.Equal(RoutingTableUpdateKind.PendingProbe, table.TryAdd(newcomer).Kind);
        Assert.Equal(RoutingTableUpdateKind.Refreshed, table.TryAdd(member).Kind);
        Assert.Equal(RoutingTableUpdateKind.Cached, table.TryAdd(newcomer).Kind);
        Assert.Equal([member], table.BucketMembers(0));
    }

    [Fact]
    public void Peer_is_evicted_after_consecutive_failures_only()
    {
        var (table, _) = NewTable();
        KadPeer peer = KadTestPeers.InBucket(table.LocalKey, 1);
        table.TryAdd(peer);
        Assert.False(table.RecordFailure(peer.Key));
        table.TryAdd(peer); // a success resets the count
        Assert.False(table.RecordFailure(peer.Key));
        Assert.True(table.Contains(peer.Key));
        Assert.True(table.RecordFailure(peer.Key));
        Assert.False(table.Contains(peer.Key));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Replacement_cache_keeps_only_the_newest_candidates()
    {
        var (table, _) = NewTable(bucketSize: 1, replacements: 2);
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 0));
        KadPeer[] late = Enumerable.Range(0, 3).Select(_ => KadTestPeers.InBucket(table.LocalKey, 0)).ToArray();
        foreach (KadPeer p in late)
        {
            table.TryAdd(p);
        }
        Assert.Equal(late[1..], table.BucketReplacements(0));
    }

    [Fact]
    public void Nearest_peers_are_sorted_by_xor_distance_to_the_target()
    {
        var (table, _) = NewTable();
        for (int i = 0; i < 60; i++)
        {
            table.TryAdd(KadTestPeers.Random());
        }
        KadKey target = KadTestPeers.RandomKey();
        IReadOnlyList<KadPeer> nearest = table.NearestPeers(target, 20);
        Assert.Equal(20, nearest.Count);
        for (int i = 1; i < nearest.Count; i++)
        {
            Assert.True(target.CompareDistance(nearest[i - 1].Key, nearest[i].Key) < 0);
        }
        KadPeer[] all = table.AllPeers().ToArray();
        KadKey worstReturned = target.Distance(nearest[^1].Key);
        Assert.All(all.Except(nearest), p => Assert.True(target.Distance(p.Key) > worstReturned));
    }

    [Fact]
    public void Every_bucket_up_to_the_deepest_plus_one_is_due_for_refresh_at_start()
    {
        var (table, _) = NewTable();
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 3));
        Assert.Equal([0, 1, 2, 3, 4], table.BucketsDueForRefresh());
    }

    [Fact]
    public void Lookup_refreshes_its_bucket_until_the_refresh_interval_passes()
    {
        var (table, time) = NewTable();
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 1));
        table.MarkRefreshed(KadKey.Hash(table.RandomKeyInBucket(0)));
        table.MarkRefreshed(KadKey.Hash(table.RandomKeyInBucket(1)));
        Assert.Equal([2], table.BucketsDueForRefresh());
        time.Now += table.Options.RefreshInterval;
        Assert.Equal([0, 1, 2], table.BucketsDueForRefresh());
    }

    [Fact]
    public void Refresh_never_goes_deeper_than_the_configured_prefix_length()
    {
        var (table, _) = NewTable();
        table.TryAdd(KadTestPeers.InBucket(table.LocalKey, 16));
        Assert.Equal(Enumerable.Range(0, table.Options.MaxRefreshPrefixLength + 1), table.BucketsDueForRefresh());
    }

    [Fact]
    public void Refresh_key_for_a_bucket_hashes_into_that_bucket()
    {
        var (table, _) = NewTable();
        for (int bucket = 0; bucket <= table.Options.MaxRefreshPrefixLength; bucket++)
        {
            Assert.Equal(bucket, table.BucketIndexOf(KadKey.Hash(table.RandomKeyInBucket(bucket))));
        }
    }
}
