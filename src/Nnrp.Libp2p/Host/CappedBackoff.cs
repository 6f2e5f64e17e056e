namespace Nnrp.Libp2p.Host;

/// <summary>
/// The retry delay every reconnecting loop in the stack uses: <c>first</c>, then twice as long
/// after each further failure in a row, never more than <c>max</c> (NNRP.md §14.3 "Streams",
/// §14.4 "Choosing relays").
/// </summary>
public static class CappedBackoff
{
    // 2^30 × any useful first delay is already past every cap; bounding the exponent keeps the
    // arithmetic finite however long a loop keeps failing.
    private const int MaxDoublings = 30;

    /// <summary>The delay before retry number <paramref name="attempt"/> (0 for the first retry).</summary>
    public static TimeSpan Delay(TimeSpan first, TimeSpan max, int attempt)
    {
        double ticks = first.Ticks * Math.Pow(2, Math.Clamp(attempt, 0, MaxDoublings));
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
