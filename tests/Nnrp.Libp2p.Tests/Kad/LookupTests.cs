using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Query;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>
/// Drives <see cref="ClosestPeersLookup"/> against a simulated network: every peer knows the
/// 20 peers of the network closest to any key, as an honest full routing table would.
/// </summary>
public class LookupTests
{
    private static readonly KadPeer[] Network = Enumerable.Range(0, 300).Select(_ => KadTestPeers.Random()).ToArray();

    // Routing tables hold live peers only: dead peers are evicted, so answers never name them.
    private static IEnumerable<KadPeer> Answer(KadPeer asked, KadKey target, Func<KadPeer, bool> alive) =>
        Network.Where(p => p != asked && alive(p)).OrderBy(p => target.Distance(p.Key)).Take(20);

    private static KadPeer[] TrueClosest(KadKey target, int n = 20) => Network.OrderBy(p => target.Distance(p.Key)).Take(n).ToArray();

    private static int Run(ClosestPeersLookup lookup, Func<KadPeer, bool>? answers = null, int maxSteps = 10_000)
    {
        var inFlight = new Queue<KadPeer>();
        int maxConcurrent = 0;
        for (int step = 0; step < maxSteps && !lookup.IsFinished; step++)
        {
            foreach (KadPeer p in lookup.NextQueries())
            {
                inFlight.Enqueue(p);
            }
            maxConcurrent = Math.Max(maxConcurrent, lookup.InFlight);
            if (inFlight.Count == 0)
            {
                break;
            }
            KadPeer next = inFlight.Dequeue();
            answers ??= static _ => true;
            if (answers(next))
            {
                lookup.OnSuccess(next, Answer(next, lookup.Target, answers));
            }
            else
            {
                lookup.OnFailure(next);
            }
        }
        return maxConcurrent;
    }

    [Fact]
    public void Lookup_finds_the_k_closest_peers_of_the_network()
    {
        KadKey target = KadTestPeers.RandomKey();
        var lookup = new ClosestPeersLookup(target, Network.Take(3));
        Run(lookup);
        Assert.True(lookup.IsFinished);
        Assert.Equal(TrueClosest(target), lookup.ClosestPeers());
    }

    [Fact]
    public void At_most_alpha_requests_are_in_flight()
    {
        var lookup = new ClosestPeersLookup(KadTestPeers.RandomKey(), Network.Take(10));
        Assert.Equal(LookupOptions.DefaultAlpha, lookup.NextQueries().Count);
        Assert.Empty(lookup.NextQueries());
        Assert.Equal(LookupOptions.DefaultAlpha, Run(lookup));
    }

    [Fact]
    public void Lookup_terminates_when_the_k_closest_seen_have_answered()
    {
        KadKey target = KadTestPeers.RandomKey();
        var lookup = new ClosestPeersLookup(target, TrueClosest(target));
        Run(lookup);
        Assert.True(lookup.IsFinished);
        // The 20 closest answer with each other: nothing closer exists, so only they are asked.
        Assert.Equal(20, lookup.QueriesSent);
    }

    [Fact]
    public void Lookup_with_no_seeds_is_finished_at_once()
    {
        var lookup = new ClosestPeersLookup(KadTestPeers.RandomKey(), []);
        Assert.True(lookup.IsFinished);
        Assert.Empty(lookup.NextQueries());
        Assert.Empty(lookup.ClosestPeers());
    }

    [Fact]
    public void Failed_peers_are_left_out_and_their_places_taken_by_the_next_closest()
    {
        KadKey target = KadTestPeers.RandomKey();
        KadPeer[] closest = TrueClosest(target, 25);
        var dead = closest.Take(3).ToHashSet();
        var lookup = new ClosestPeersLookup(target, Network.Take(5));
        Run(lookup, p => !dead.Contains(p));
        Assert.True(lookup.IsFinished);
        Assert.Equal(closest.Skip(3).Take(20), lookup.ClosestPeers());
    }

    [Fact]
    public void Lookup_stops_at_the_query_bound_even_if_peers_keep_failing()
    {
        var options = new LookupOptions { MaxQueries = 12 };
        var lookup = new ClosestPeersLookup(KadTestPeers.RandomKey(), Network, options);
        Run(lookup, static _ => false);
        Assert.True(lookup.IsFinished);
        Assert.Equal(12, lookup.QueriesSent);
    }

    [Fact]
    public void Lookup_that_runs_out_of_candidates_is_finished()
    {
        KadPeer[] island = Network.Take(4).ToArray();
        var lookup = new ClosestPeersLookup(KadTestPeers.RandomKey(), island);
        while (!lookup.IsFinished)
        {
            foreach (KadPeer p in lookup.NextQueries())
            {
                lookup.OnSuccess(p, island);
            }
        }
        Assert.Equal(4, lookup.QueriesSent);
        Assert.Equal(4, lookup.ClosestPeers().Count);
    }

    [Fact]
    public void Stopped_lookup_ignores_late_answers_and_sends_nothing()
    {
        var lookup = new ClosestPeersLookup(KadTestPeers.RandomKey(), Network.Take(5));
        IReadOnlyList<KadPeer> sent = lookup.NextQueries();
        lookup.Stop();
        lookup.OnSuccess(sent[0], Network);
        Assert.True(lookup.IsFinished);
        Assert.Empty(lookup.NextQueries());
    }

    [Fact]
    public void Own_key_and_unsolicited_answers_are_ignored()
    {
        KadPeer self = Network[0];
        var lookup = new ClosestPeersLookup(KadTestPeers.RandomKey(), Network.Take(2), self: self.Key);
        Assert.Equal([Network[1]], lookup.NextQueries());
        lookup.OnSuccess(Network[50], Network); // never asked
        Assert.Equal(1, lookup.InFlight);
    }
}
