using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.ConnectionManager;

/// <summary>What the trimmer needs to know of one established connection.</summary>
public readonly record struct TrimCandidate<T>(T Connection, PeerId Peer, ConnectionDirection Direction, DateTimeOffset OpenedAt, int StreamCount);

/// <summary>
/// Chooses connections to close (NNRP.md §14.1 "Connection limits"; go-libp2p connmgr's
/// watermarks), as a pure function of a snapshot: once more than the high watermark are
/// established, the least valuable go until the low watermark is reached. Never closed:
/// protected peers (Kad routing table, GossipSub mesh) and connections younger than the
/// grace period. Least valuable first means, in order:
/// <list type="number">
/// <item>lowest score (GossipSub's peer score when the host is given one; 0 otherwise);</item>
/// <item>inbound before outbound (we chose to dial the latter);</item>
/// <item>no open streams before some (go-libp2p's order);</item>
/// <item>youngest first: a connection that has lasted is likelier an honest, stable peer,
///   and an attacker cannot buy age quickly (Bitcoin Core's eviction keeps the longest-lived
///   too).</item>
/// </list>
/// </summary>
public sealed class ConnectionTrimmer(ConnectionLimits limits, PeerProtection protection)
{
    /// <summary>Score of a peer for trimming (higher is kept longer); null scores everyone 0.</summary>
    public Func<PeerId, double>? Score { get; set; }

    /// <summary>Connections to close now: none at or below the high watermark.</summary>
    public IReadOnlyList<T> SelectForTrim<T>(IReadOnlyCollection<TrimCandidate<T>> connections, DateTimeOffset now)
    {
        if (connections.Count <= limits.EffectiveHighWater)
        {
            return [];
        }
        List<TrimCandidate<T>> candidates = Rank(connections.Where(c => now - c.OpenedAt >= limits.GracePeriod));
        int excess = connections.Count - limits.EffectiveLowWater;
        return candidates.Take(excess).Select(static c => c.Connection).ToArray();
    }

    /// <summary>
    /// The table is full and we want to dial: the least valuable unprotected inbound
    /// connection, grace period or not, so that strangers never keep us from reaching a peer.
    /// </summary>
    public bool TrySelectForOutbound<T>(IReadOnlyCollection<TrimCandidate<T>> connections, out T victim)
    {
        List<TrimCandidate<T>> candidates = Rank(connections.Where(static c => c.Direction == ConnectionDirection.Inbound));
        if (candidates.Count == 0)
        {
            victim = default!;
            return false;
        }
        victim = candidates[0].Connection;
        return true;
    }

    private List<TrimCandidate<T>> Rank<T>(IEnumerable<TrimCandidate<T>> connections)
    {
        var scores = new Dictionary<PeerId, double>();
        var candidates = new List<TrimCandidate<T>>();
        foreach (TrimCandidate<T> c in connections)
        {
            if (protection.IsProtected(c.Peer))
            {
                continue;
            }
            if (!scores.ContainsKey(c.Peer))
            {
                scores[c.Peer] = Score?.Invoke(c.Peer) ?? 0;
            }
            candidates.Add(c);
        }
        candidates.Sort((a, b) =>
        {
            int order = scores[a.Peer].CompareTo(scores[b.Peer]);
            if (order != 0)
            {
                return order;
            }
            if (a.Direction != b.Direction)
            {
                return a.Direction == ConnectionDirection.Inbound ? -1 : 1;
            }
            if ((a.StreamCount == 0) != (b.StreamCount == 0))
            {
                return a.StreamCount == 0 ? -1 : 1;
            }
            return b.OpenedAt.CompareTo(a.OpenedAt);
        });
        return candidates;
    }
}
