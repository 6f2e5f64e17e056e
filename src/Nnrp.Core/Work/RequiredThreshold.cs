namespace Nnrp.Core.Work;

/// <summary>
/// The one place that decides how much work an incoming notification must carry (NNRP.md
/// §6). Every ingress path (publish, gossip, HTTP, sync) asks <see cref="Compute"/>.
/// <code>
///   multiplier = tag_escalation(n) × load_multiplier(u)          (capped at MaxMultiplier)
///   tag_escalation(n)   = 2^(max(0, n − FreePerTag) / DoublingEvery)
///   load_multiplier(u)  = 1                         if u ≤ knee
///                       = MaxLoad^((u − knee)/(1 − knee))  otherwise (u clamped to 0..1)
///   required threshold  = Thresholds.FromMultiplier(multiplier, BaseThreshold)
/// </code>
/// n is the number of notifications the node already accepted (or queued) for the tag within
/// the window, not counting the one being priced; u is the ingress utilisation (§6.3).
/// With the defaults, the k-th notification of an hour to one tag meets n = k − 1: the 100th
/// costs 2^(35/64) ≈ 1.46× and the 1000th 2^(935/64) ≈ 2^14.6.
/// </summary>
public static class RequiredThreshold
{
    /// <summary>Per-tag escalation multiplier for a tag that already took <paramref name="acceptedInWindow"/> notifications.</summary>
    public static double TagEscalation(long acceptedInWindow, WorkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        long over = acceptedInWindow - policy.FreePerTag;
        if (over <= 0)
        {
            return 1.0;
        }
        double m = Math.Pow(2.0, (double)over / Math.Max(1, policy.DoublingEvery));
        return Math.Min(m, policy.MaxMultiplier);
    }

    /// <summary>Load multiplier for ingress utilisation <paramref name="utilisation"/> (0 = idle, 1 = saturated).</summary>
    public static double LoadMultiplier(double utilisation, WorkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (double.IsNaN(utilisation) || utilisation <= policy.LoadKnee)
        {
            return 1.0;
        }
        double u = Math.Min(utilisation, 1.0);
        double span = 1.0 - policy.LoadKnee;
        if (span <= 0)
        {
            return policy.MaxLoadMultiplier;
        }
        return Math.Pow(policy.MaxLoadMultiplier, (u - policy.LoadKnee) / span);
    }

    /// <summary>The combined multiplier, capped at <see cref="WorkPolicy.MaxMultiplier"/> and never below 1.</summary>
    public static double Multiplier(long acceptedForTagInWindow, double utilisation, WorkPolicy policy)
    {
        double m = TagEscalation(acceptedForTagInWindow, policy) * LoadMultiplier(utilisation, policy);
        return Math.Clamp(m, 1.0, policy.MaxMultiplier);
    }

    /// <summary>The threshold a notification to a tag with <paramref name="acceptedForTagInWindow"/> recent notifications must meet now.</summary>
    public static ulong Compute(long acceptedForTagInWindow, double utilisation, WorkPolicy policy) =>
        Thresholds.FromMultiplier(Multiplier(acceptedForTagInWindow, utilisation, policy), policy.BaseThreshold);

    /// <summary>The threshold the node advertises as <c>current_threshold</c> (a fresh tag at the current load).</summary>
    public static ulong Current(double utilisation, WorkPolicy policy) => Compute(0, utilisation, policy);
}
