namespace Nnrp.Benchmarks;

/// <summary>Named whole-system benchmark harnesses; each prints its own table.</summary>
internal static class Harnesses
{
    public static readonly IReadOnlyDictionary<string, Func<string[], Task<int>>> All =
        new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
        {
        };
}
