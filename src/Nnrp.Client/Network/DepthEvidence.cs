using Nnrp.Core.Protocol;

namespace Nnrp.Client.Network;

/// <summary>
/// NNRP.md §8.4 "Where to start": the deepest shard depth this client has seen in any node's
/// status (§11.7), kept for the client's lifetime, so each search starts
/// <see cref="HolderSearch.DepthHeadroom"/> below it (capped at <see cref="HolderSearch.MaxDepth"/>).
/// Depths beyond the cap are remembered as the cap: no provider key deeper than it exists (§14.2).
/// </summary>
internal sealed class DepthEvidence
{
    private int _deepest = -1;

    private int _sampled;

    /// <summary>
    /// Claims the client's one routing-table sample (§8.4): true for the first caller only.
    /// Bootstrap peers alone are poor evidence — a network's deep nodes are rarely its bootstrap peers.
    /// </summary>
    public bool TryClaimSample() => Interlocked.Exchange(ref _sampled, 1) == 0;

    /// <summary>The deepest depth seen so far, or −1 when no status named a shard.</summary>
    public int Deepest => Volatile.Read(ref _deepest);

    /// <summary>Takes the shards of a status as evidence.</summary>
    public void Observe(StatusResponse status)
    {
        if (ShardCoverage.DeepestBits(status.Shards) is not { } bits)
        {
            return;
        }
        int depth = Math.Min(bits, HolderSearch.MaxDepth);
        int seen = Volatile.Read(ref _deepest);
        while (depth > seen)
        {
            int was = Interlocked.CompareExchange(ref _deepest, depth, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }

    /// <summary>The first depth a search looks up: the deepest seen (0 without evidence) plus the headroom, capped.</summary>
    public int StartDepth => Math.Min(HolderSearch.MaxDepth, Math.Max(Deepest, 0) + HolderSearch.DepthHeadroom);
}
