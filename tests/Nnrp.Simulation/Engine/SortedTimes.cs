namespace Nnrp.Simulation.Engine;

/// <summary>Searches over ascending virtual times (the publish times of the run's notifications).</summary>
internal static class SortedTimes
{
    /// <summary>The first index whose time is ≥ <paramref name="value"/>.</summary>
    public static int LowerBound(long[] sorted, long value)
    {
        int i = Array.BinarySearch(sorted, value);
        if (i < 0)
        {
            return ~i;
        }
        while (i > 0 && sorted[i - 1] == value)
        {
            i--;
        }
        return i;
    }
}
