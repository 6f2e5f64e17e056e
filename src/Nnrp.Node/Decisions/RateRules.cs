using Nnrp.Libp2p.Limits;

namespace Nnrp.Node.Decisions;

/// <summary>A token bucket: <see cref="PerSecond"/> requests a second on average, bursts of <see cref="Burst"/>.</summary>
public sealed record RateRule(double PerSecond, int Burst);

/// <summary>
/// The node's per-origin rate rules, in one place for every door (issue 13): one token bucket
/// per key (client address, peer id) under each kind of <see cref="Origin"/> that has a rule.
/// A request is admitted once, by the door it came in at, before it costs the node more:
/// /nnrp/1.0 before the request is read (§11.4 RATE_LIMITED), a sync request also under
/// the sync rule (§11.8.7), HTTP before routing (§12, 429 <c>rate_limited</c>). Gossip is
/// bounded by the router's scores and queues (§14.3), a sync pull was asked for by this node,
/// and local calls are the operator's: those kinds have no rule.
/// </summary>
public sealed class RateRules
{
    /// <summary>§11.4: requests a second one peer may make of /nnrp/1.0 (NnrpServiceOptions.PeerRequestsPerSecond).</summary>
    public static readonly RateRule DefaultPeer = new(500, 1000);

    /// <summary>§11.8.7: sync requests a second one peer may make (SyncOptions.PeerRequestsPerSecond).</summary>
    public static readonly RateRule DefaultSyncPeer = new(20, 100);

    /// <summary>§12: requests a second one HTTP client address may make (HttpApiOptions.RateLimitPerSecond).</summary>
    public static readonly RateRule DefaultHttpClient = new(50, 100);

    private readonly TimeProvider _time;
    private readonly KeyedRateLimiter<string>?[] _limiters = new KeyedRateLimiter<string>?[Enum.GetValues<OriginKind>().Length];
    private readonly RateRule?[] _rules = new RateRule?[Enum.GetValues<OriginKind>().Length];

    public RateRules(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Set(OriginKind.Peer, DefaultPeer);
        Set(OriginKind.SyncPeer, DefaultSyncPeer);
        Set(OriginKind.HttpClient, DefaultHttpClient);
    }

    /// <summary>The rule of <paramref name="kind"/>, or null when it has none.</summary>
    public RateRule? RuleOf(OriginKind kind) => Volatile.Read(ref _rules[(int)kind]);

    /// <summary>Sets (or with null removes) the rule of <paramref name="kind"/>; its buckets start full.</summary>
    public void Set(OriginKind kind, RateRule? rule)
    {
        if (rule is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rule.PerSecond, nameof(rule));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rule.Burst, nameof(rule));
        }
        Volatile.Write(ref _limiters[(int)kind], rule is null ? null : new KeyedRateLimiter<string>(rule.PerSecond, rule.Burst, _time));
        Volatile.Write(ref _rules[(int)kind], rule);
    }

    /// <summary>
    /// <see cref="Decision.Admitted"/>, or <see cref="DecisionStatus.RateLimited"/> with a
    /// retry-after hint when <paramref name="origin"/> is over its rule.
    /// </summary>
    public Decision Admit(Origin origin)
    {
        KeyedRateLimiter<string>? limiter = Volatile.Read(ref _limiters[(int)origin.Kind]);
        if (limiter is null || limiter.TryAcquire(origin.Key, out uint retryAfter))
        {
            return Decision.Admitted;
        }
        return new Decision(DecisionStatus.RateLimited, Refusal(origin.Kind)) { RetryAfterSeconds = retryAfter };
    }

    private static string Refusal(OriginKind kind) => kind switch
    {
        OriginKind.SyncPeer => "too many sync requests from this peer",
        OriginKind.HttpClient => "too many requests from this address",
        _ => "too many requests from this peer",
    };
}
