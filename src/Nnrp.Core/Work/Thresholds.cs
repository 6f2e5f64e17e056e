namespace Nnrp.Core.Work;

/// <summary>
/// Work thresholds and Nano's multiplier arithmetic (nano-node <c>nano/lib/numbers.cpp</c>,
/// <c>difficulty::to_multiplier / from_multiplier</c>):
/// <code>
///   multiplier = (2^64 − base) / (2^64 − threshold)
///   threshold  = 2^64 − (2^64 − base) / multiplier
/// </code>
/// A multiplier of 2 means twice the expected hashes of the base threshold.
/// </summary>
public static class Thresholds
{
    /// <summary>
    /// NNRP's base threshold: Nano's epoch-2 receive threshold, about 2^23 hashes on average
    /// (nano-node <c>nano/lib/config.cpp</c>, <c>epoch_2_receive</c>).
    /// </summary>
    public const ulong Base = 0xfffffe0000000000UL;

    /// <summary>Nano's epoch-2 send/change threshold (64 × base), for reference.</summary>
    public const ulong NanoSend = 0xfffffff800000000UL;

    /// <summary>Nano's epoch-1 threshold, met by pre-V21 work such as the live genesis block.</summary>
    public const ulong NanoEpoch1 = 0xffffffc000000000UL;

    private const double TwoPow64 = 18446744073709551616.0;

    /// <summary>How much harder <paramref name="threshold"/> is than <paramref name="baseThreshold"/>.</summary>
    public static double ToMultiplier(ulong threshold, ulong baseThreshold = Base) =>
        Distance(baseThreshold) / Distance(threshold);

    /// <summary>
    /// The threshold <paramref name="multiplier"/> times harder than <paramref name="baseThreshold"/>.
    /// Multipliers below 1 give easier thresholds; a multiplier too large for 64 bits clamps
    /// to <see cref="ulong.MaxValue"/>. Not a number or not positive is refused.
    /// </summary>
    public static ulong FromMultiplier(double multiplier, ulong baseThreshold = Base)
    {
        if (double.IsNaN(multiplier) || multiplier <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), multiplier, "a work multiplier must be a positive number");
        }
        double distance = Distance(baseThreshold) / multiplier;
        if (distance < 1.0)
        {
            return ulong.MaxValue;
        }
        if (distance >= TwoPow64)
        {
            return 0;
        }
        // 2^64 − distance, rounded the way Nano does (truncate the distance to an integer).
        ulong d = (ulong)distance;
        return 0UL - d;
    }

    /// <summary>Expected hashes to meet <paramref name="threshold"/>: 2^64 / (2^64 − threshold).</summary>
    public static double ExpectedHashes(ulong threshold) => TwoPow64 / Distance(threshold);

    private static double Distance(ulong threshold) => threshold == 0 ? TwoPow64 : (double)(0UL - threshold);
}
