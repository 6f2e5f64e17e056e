using System.Collections.Concurrent;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Limits;

/// <summary>
/// Per-peer token buckets for inbound requests — Kad (issue 3 §8), /nnrp/1.0 and sync
/// (issue 6 item 3): <c>rate</c> requests a second on average, bursts of <c>burst</c>. Once
/// the map grows past <see cref="PruneAbove"/> buckets, idle (full) ones are dropped, so a
/// stream of fresh peer ids cannot grow it without bound.
/// </summary>
public sealed class PeerRateLimiter(double ratePerSecond, int burst, TimeProvider time)
{
    /// <summary>Buckets kept before idle (full) ones are dropped.</summary>
    public const int PruneAbove = 10_000;

    /// <summary>Takes one token; false when the peer is over its rate.</summary>
    public bool TryAcquire(PeerId peer) => TryAcquire(peer, out _);

    private readonly ConcurrentDictionary<PeerId, Bucket> _buckets = new();

    /// <summary>Takes one token; false (with a wait hint in seconds) when the peer is over its rate.</summary>
    public bool TryAcquire(PeerId peer, out uint retryAfterSeconds)
    {
        double now = time.GetTimestamp() / (double)time.TimestampFrequency;
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }
        Bucket bucket = _buckets.GetOrAdd(peer, static (_, b) => new Bucket(b.Burst, b.Now), (Burst: burst, Now: now));
        lock (bucket)
        {
            bucket.Refill(now, ratePerSecond, burst);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfterSeconds = 0;
                return true;
            }
            retryAfterSeconds = (uint)Math.Max(1, Math.Ceiling((1 - bucket.Tokens) / ratePerSecond));
            return false;
        }
    }

    private void Prune(double now)
    {
        foreach ((PeerId peer, Bucket bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, ratePerSecond, burst);
                if (bucket.Tokens >= burst)
                {
                    _buckets.TryRemove(peer, out _);
                }
            }
        }
    }

    private sealed class Bucket(double tokens, double updated)
    {
        public double Tokens { get; set; } = tokens;

        private double _updated = updated;

        public void Refill(double now, double rate, int burst)
        {
            Tokens = Math.Min(burst, Tokens + (Math.Max(0, now - _updated) * rate));
            _updated = now;
        }
    }
}
