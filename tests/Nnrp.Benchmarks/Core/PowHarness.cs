using System.Diagnostics;
using System.Globalization;
using Nnrp.Core.Work;

namespace Nnrp.Benchmarks.Core;

/// <summary>
/// <c>pow</c> harness: one table with the per-core hash rate of every PoW path, the speed-up
/// over a plain scalar BLAKE2b, the cycles per hash (at the clock /proc/cpuinfo reports),
/// the validation rate, and the all-cores generator rate at the base threshold.
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- pow [seconds-per-row]</code>
/// </summary>
internal static class PowHarness
{
    private static readonly byte[] Root = Convert.FromHexString("bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de");

    public static async Task<int> RunAsync(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
        double mhz = CpuMHz();
        Console.WriteLine($"PoW harness: {Environment.ProcessorCount} logical cores, {mhz:F0} MHz (from /proc/cpuinfo), best path {WorkGenerator.BestPath}");
        Console.WriteLine();
        Console.WriteLine("| Path (one core)                    |   MH/s | speed-up | ns/hash | cycles/hash |");
        Console.WriteLine("|------------------------------------|-------:|---------:|--------:|------------:|");
        double plain = Rate(seconds, n => { ulong a = 0; for (ulong i = 0; i < (ulong)n; i++) { a ^= ProofOfWork.ValueReference(Root, i); } GC.KeepAlive(a); });
        Row("plain scalar BLAKE2b (baseline)", plain, plain, mhz);
        foreach (WorkPath path in new[] { WorkPath.Scalar, WorkPath.Vector256, WorkPath.Vector512 })
        {
            if (!WorkGenerator.IsSupported(path))
            {
                Console.WriteLine($"| {path,-34} |    n/a |      n/a |     n/a |         n/a |");
                continue;
            }
            double rate = Rate(seconds, n => WorkGenerator.TrySearch(Root, ulong.MaxValue, 0, n, path, out _, out _));
            Row($"PoW {path}", rate, plain, mhz);
        }
        double validate = Rate(seconds, n => { int v = 0; for (ulong i = 0; i < (ulong)n; i++) { v += ProofOfWork.IsValid(Root, i, Thresholds.Base) ? 1 : 0; } GC.KeepAlive(v); });
        Console.WriteLine($"| validation (IsValid, one core)     | {validate / 1e6,6:F2} |          |  {1e9 / validate,6:F1} |             |");
        Console.WriteLine();

        // All cores at the base threshold: several searches, hashes and time summed.
        long hashes = 0;
        TimeSpan elapsed = TimeSpan.Zero;
        int found = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds * 2 || found < 3)
        {
            byte[] root = (byte[])Root.Clone();
            root[0] = (byte)found;
            WorkResult r = await WorkGenerator.GenerateAsync(root, Thresholds.Base);
            hashes += r.Hashes;
            elapsed += r.Elapsed;
            found++;
        }
        double all = hashes / elapsed.TotalSeconds;
        Console.WriteLine($"Generator, all {Environment.ProcessorCount} cores, {WorkGenerator.BestPath}, threshold {Thresholds.Base:x16}: " +
            $"{all / 1e6:F1} MH/s ({all / 1e6 / Environment.ProcessorCount:F1} MH/s per core), {found} works found, " +
            $"mean {elapsed.TotalMilliseconds / found:F0} ms per work");
        return 0;
    }

    private static void Row(string name, double rate, double baseline, double mhz)
    {
        string cycles = mhz > 0 ? (mhz * 1e6 / rate).ToString("F0", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine($"| {name,-34} | {rate / 1e6,6:F2} | {rate / baseline,7:F2}x | {1e9 / rate,7:F1} | {cycles,11} |");
    }

    // Runs batches of 2^16 hashes until `seconds` have passed (after a short warm-up) and returns hashes per second.
    private static double Rate(double seconds, Action<int> batch)
    {
        const int n = 1 << 16;
        for (int i = 0; i < 20; i++)
        {
            batch(n); // warm-up: tiered JIT reaches the optimised code
        }
        long done = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            batch(n);
            done += n;
        }
        return done / sw.Elapsed.TotalSeconds;
    }

    private static double CpuMHz()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
                {
                    return double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
