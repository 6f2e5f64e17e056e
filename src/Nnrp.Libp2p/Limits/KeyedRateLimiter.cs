using System.Collections.Concurrent;

namespace Nnrp.Libp2p.Limits;

/// <summary>
/// Token buckets per key (a peer id, a client address) for inbound requests — Kad (issue 3 §8)
/// per peer, and the NNRP node's per-origin rate rules: <c>rate</c> requests a second on
/// average, bursts of <c>burst</c>. Once the map grows past <see cref="PruneAbove"/> buckets,
/// idle (full) ones are dropped, so a stream of fresh keys cannot grow it without bound.
/// </summary>
public class KeyedRateLimiter<TKey>(double ratePerSecond, int burst, TimeProvider time)
    where TKey : notnull
{
    /// <summary>Buckets kept before idle (full) ones are dropped.</summary>
    public const int PruneAbove = 10_000;

    /// <summary>Takes one token; false when the key is over its rate.</summary>
    public bool TryAcquire(TKey key) => TryAcquire(key, out _);

    private readonly ConcurrentDictionary<TKey, Bucket> _buckets = new();

    /// <summary>Takes one token; false (with a wait hint in seconds) when the key is over its rate.</summary>
    public bool TryAcquire(TKey key, out uint retryAfterSeconds)
    {
        double now = time.GetTimestamp() / (double)time.TimestampFrequency;
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }
        Bucket bucket = _buckets.GetOrAdd(key, static (_, b) => new Bucket(b.Burst, b.Now), (Burst: burst, Now: now));
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
        foreach ((TKey key, Bucket bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, ratePerSecond, burst);
                if (bucket.Tokens >= burst)
                {
                    _buckets.TryRemove(key, out _);
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
