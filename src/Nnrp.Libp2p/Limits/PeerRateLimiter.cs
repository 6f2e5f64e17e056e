using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Limits;

/// <summary>Token buckets per peer id (Kad requests, issue 3 §8).</summary>
public sealed class PeerRateLimiter(double ratePerSecond, int burst, TimeProvider time)
    : KeyedRateLimiter<PeerId>(ratePerSecond, burst, time);
