using System.Collections.Concurrent;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// Per-peer token buckets for inbound requests (issue 3 §8 "per-peer request rate"): each peer
/// holds up to <c>burst</c> tokens, refilled at <c>rate</c> per second, one per request. The map
/// is pruned of full (idle) buckets once it grows past <see cref="PruneAbove"/>, so a stream of
/// fresh peer ids cannot grow it without bound.
/// </summary>
internal sealed class PeerRateLimiter(double ratePerSecond, int burst, TimeProvider time)
{
    public const int PruneAbove = 4096;

    private sealed class TokenBucket
    {
        public double Tokens;
        public long LastRefill;
    }

    private readonly ConcurrentDictionary<PeerId, TokenBucket> _buckets = new();

    public bool TryAcquire(PeerId peer)
    {
        long now = time.GetTimestamp();
        TokenBucket bucket = _buckets.GetOrAdd(peer, _ => new TokenBucket { Tokens = burst, LastRefill = now });
        bool allowed;
        lock (bucket)
        {
            Refill(bucket, now);
            allowed = bucket.Tokens >= 1;
            if (allowed)
            {
                bucket.Tokens -= 1;
            }
        }
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }
        return allowed;
    }

    private void Refill(TokenBucket bucket, long now)
    {
        double seconds = time.GetElapsedTime(bucket.LastRefill, now).TotalSeconds;
        bucket.Tokens = Math.Min(burst, bucket.Tokens + seconds * ratePerSecond);
        bucket.LastRefill = now;
    }

    private void Prune(long now)
    {
        foreach ((PeerId peer, TokenBucket bucket) in _buckets)
        {
            lock (bucket)
            {
                Refill(bucket, now);
                if (bucket.Tokens >= burst)
                {
                    _buckets.TryRemove(peer, out _);
                }
            }
        }
    }
}
