using System.Globalization;
using System.Text.Json.Nodes;
using Nnrp.Browser.Tests;
using Nnrp.Cli.Tests;
using Nnrp.Core.Work;

namespace Nnrp.Benchmarks.Browser;

/// <summary>
/// <c>browser-pow</c> harness: proof of work in headless Chromium (nnrp-client's Web Worker
/// generator, src/nnrp-wallet's pow-bench page) beside the C# generator, both with 1 … N
/// threads on this machine in one run, each searching an unreachable threshold for a fixed time
/// and rated between its first and last progress report (start-up not counted).
/// Needs `make wallet` (the page) and Debian's chromium.
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- browser-pow [seconds-per-row]</code>
/// </summary>
internal static class BrowserPowHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3.0;
        int cores = Environment.ProcessorCount;
        string workers = string.Join(',', Enumerable.Range(1, cores));
        string dist = RepositoryFiles.Find("src", "nnrp-wallet", "dist");
        string root = Directory.CreateTempSubdirectory("nnrp-browser-bench-").FullName;
        JsonArray browserRows;
        string version;
        try
        {
            using var certificate = TestCertificate.Create(root);
            await using StaticSite site = await StaticSite.StartAsync(dist, certificate);
            (BrowserDriver driver, version) = await BrowserDriver.LaunchAsync();
            await using (driver)
            {
                await driver.OpenAsync("bench", new Uri(site.Url, $"pow-bench.html?seconds={seconds.ToString(CultureInfo.InvariantCulture)}&workers={workers}"));
                JsonNode? result = await driver.WaitAsync("bench", "document.body.dataset.state === 'done' && JSON.parse(document.body.dataset.result)",
                    TimeSpan.FromSeconds(seconds * cores * 3 + 60));
                browserRows = result!["rows"]!.AsArray();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        Console.WriteLine($"Browser PoW harness: {cores} logical cores, Chromium {version}, C# path {WorkGenerator.BestPath}, {seconds:F1} s per row");
        Console.WriteLine();
        Console.WriteLine("| Threads | Chromium Web Workers MH/s | per worker | C# generator MH/s | per thread | browser / C# |");
        Console.WriteLine("|--------:|--------------------------:|-----------:|------------------:|-----------:|-------------:|");
        foreach (JsonNode? row in browserRows)
        {
            int n = row!["workers"]!.GetValue<int>();
            double browser = row["mhs"]!.GetValue<double>();
            double csharp = await CSharpRateAsync(n, seconds) / 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n,7} | {browser,25:F2} | {browser / n,10:F2} | {csharp,17:F2} | {csharp / n,10:F2} | {browser / csharp,11:P1} |"));
        }
        return 0;
    }

    // The C# generator with `threads` threads over an unreachable threshold for `seconds`: hashes
    // per second between its first and last progress report, as the browser page measures.
    private static async Task<double> CSharpRateAsync(int threads, double seconds)
    {
        WorkProgress? first = null;
        WorkProgress last = default;
        var progress = new SynchronousProgress(p =>
        {
            first ??= p;
            last = p;
        });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await WorkGenerator.GenerateAsync(new byte[32], ulong.MaxValue, progress,
                new WorkGeneratorOptions { Threads = threads, ProgressInterval = TimeSpan.FromMilliseconds(100) }, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // The deadline: expected.
        }
        return first is { } f && last.Elapsed > f.Elapsed ? (last.Hashes - f.Hashes) / (last.Elapsed - f.Elapsed).TotalSeconds : 0;
    }

    private sealed class SynchronousProgress(Action<WorkProgress> report) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => report(value);
    }
}
