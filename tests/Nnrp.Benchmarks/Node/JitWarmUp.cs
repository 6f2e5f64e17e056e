using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// Warm-up that ends when the JIT has: tiered compilation recompiles hot methods (tier 0,
/// instrumented tier, tier 1) for seconds after the first calls, on background threads that
/// compete with the timed code for the machine's two cores. With a fixed 50-round warm-up the
/// fetch p99 of a 1 000-round run measured that recompilation (9–13 ms, against 3.8–4.4 ms with
/// <c>DOTNET_TieredCompilation=0</c> in the same sitting, docs/BENCHMARKS.md "Fetch"), not the
/// node a wallet meets after the first minute. So rounds run untimed until neither the client
/// nor the node child compiled a method for <see cref="QuietRounds"/> rounds in a row, and the
/// warm-up's own latencies are reported beside the steady ones rather than hidden.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>Rounds in a row with no method compiled in either process that end the warm-up.</summary>
    public const int QuietRounds = 100;

    /// <summary>Never warm longer than this; the report says when the JIT did not settle.</summary>
    public const int MaxRounds = 6000;

    /// <summary>What the warm-up took: its rounds, their latencies (ms) and whether the JIT settled.</summary>
    public sealed record Result(int Rounds, List<double> Latencies, bool Settled)
    {
        public string Describe() => Settled
            ? $"{Rounds} warm-up rounds until no method was JIT-compiled in either process for {QuietRounds} rounds; their p99 {Percentile(Latencies, 0.99):F2} ms, max {Latencies.Max():F2} ms"
            : $"JIT still compiling after {Rounds} warm-up rounds (their p99 {Percentile(Latencies, 0.99):F2} ms)";
    }

    /// <summary>Runs <paramref name="round"/> (returns its latency in ms) until the JIT of both processes is quiet.</summary>
    public static async Task<Result> UntilQuietAsync(NodeChild node, Func<Task<double>> round)
    {
        var latencies = new List<double>();
        long last = await CompiledAsync(node);
        int quiet = 0;
        while (latencies.Count < MaxRounds)
        {
            latencies.Add(await round());
            long now = await CompiledAsync(node);
            quiet = now == last ? quiet + 1 : 0;
            last = now;
            if (quiet >= QuietRounds)
            {
                return new Result(latencies.Count, latencies, Settled: true);
            }
        }
        return new Result(latencies.Count, latencies, Settled: false);
    }

    /// <summary>Methods compiled so far by this process and the node child together.</summary>
    private static async Task<long> CompiledAsync(NodeChild node) =>
        JitInfo.GetCompiledMethodCount() + long.Parse(await node.AskAsync("jit", "jit"), CultureInfo.InvariantCulture);

    public static double Percentile(List<double> values, double p)
    {
        List<double> sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }

    /// <summary>Times one call in milliseconds.</summary>
    public static async Task<double> TimeAsync(Func<Task> action)
    {
        long start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
