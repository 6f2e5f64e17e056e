namespace Nnrp.Core.Work;

/// <summary>
/// The knobs of the required-threshold rule (DESIGN "Wire decisions": per-tag escalation and
/// load). Defaults are the normative values of NNRP.md §6; operators may raise them.
/// </summary>
public sealed record WorkPolicy
{
    /// <summary>Threshold every notification must meet: <see cref="Thresholds.Base"/>.</summary>
    public ulong BaseThreshold { get; init; } = Thresholds.Base;

    /// <summary>Notifications one tag may receive per <see cref="TagWindow"/> at the base price.</summary>
    public int FreePerTag { get; init; } = 64;

    /// <summary>Beyond <see cref="FreePerTag"/>, the multiplier doubles every this many notifications.</summary>
    public int DoublingEvery { get; init; } = 64;

    /// <summary>The sliding window the per-tag count covers.</summary>
    public TimeSpan TagWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Ingress utilisation (0..1) above which the load multiplier rises above 1.</summary>
    public double LoadKnee { get; init; } = 0.75;

    /// <summary>The load multiplier at 100 % utilisation.</summary>
    public double MaxLoadMultiplier { get; init; } = 64;

    /// <summary>Upper bound of the combined multiplier (2^40 ≈ the hardest threshold worth asking).</summary>
    public double MaxMultiplier { get; init; } = 1099511627776.0;
}
