using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;

namespace Nnrp.Benchmarks.Libp2p;

/// <summary>
/// <c>libp2p</c> harness: TCP + Noise + Yamux measured side by side in one run on loopback —
/// /perf/1.0.0 throughput C#↔C# and js-libp2p↔js-libp2p (each pair in its own processes'
/// worth of CPU: our two hosts share this process, the js pair is two node processes),
/// C#↔C# over WebSocket (<c>/ws</c>) against the same over TCP, connection setup
/// (TCP + Noise + Yamux + identify) and ping RTT.
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- libp2p [MiB-per-run] [runs]</code>
/// </summary>
internal static class NetworkHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int mib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        long bytes = (long)mib << 20;
        Console.WriteLine($"libp2p harness: {Environment.ProcessorCount} logical cores, {mib} MiB per perf run, best of {runs} runs");

        await using CSharpPeer a = await CSharpPeer.StartAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await using CSharpPeer b = await CSharpPeer.StartAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await using JsPeer jsA = await JsPeer.StartAsync();
        await using JsPeer jsB = await JsPeer.StartAsync();
        await using CSharpPeer wsA = await CSharpPeer.StartAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, listen: "/ip4/127.0.0.1/tcp/0/ws");
        await using CSharpPeer wsB = await CSharpPeer.StartAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, listen: "/ip4/127.0.0.1/tcp/0/ws");
        await a.Host.DialAsync(b.DialAddress, CancellationToken.None);
        await wsA.Host.DialAsync(wsB.DialAddress, CancellationToken.None);
        await jsA.CallAsync("dial", new { addr = jsB.DialAddress });

        // Warm up both stacks (JIT, TCP windows) before measuring.
        await a.Perf.RunAsync(b.Host.PeerId, 16 << 20, 16 << 20, CancellationToken.None);
        await wsA.Perf.RunAsync(wsB.Host.PeerId, 16 << 20, 16 << 20, CancellationToken.None);
        await jsA.CallAsync("perf", new { addr = jsB.DialAddress, upload = 16 << 20, download = 16 << 20 }, TimeSpan.FromMinutes(5));

        double csUp = 0, csDown = 0, jsUp = 0, jsDown = 0, wsUp = 0, wsDown = 0;
        for (int i = 0; i < runs; i++)
        {
            PerfResult up = await a.Perf.RunAsync(b.Host.PeerId, bytes, 0, CancellationToken.None);
            csUp = Math.Max(csUp, bytes / up.TotalTime.TotalSeconds);
            PerfResult down = await a.Perf.RunAsync(b.Host.PeerId, 0, bytes, CancellationToken.None);
            csDown = Math.Max(csDown, bytes / down.TotalTime.TotalSeconds);
            PerfResult wup = await wsA.Perf.RunAsync(wsB.Host.PeerId, bytes, 0, CancellationToken.None);
            wsUp = Math.Max(wsUp, bytes / wup.TotalTime.TotalSeconds);
            PerfResult wdown = await wsA.Perf.RunAsync(wsB.Host.PeerId, 0, bytes, CancellationToken.None);
            wsDown = Math.Max(wsDown, bytes / wdown.TotalTime.TotalSeconds);
            JsonObject jup = await jsA.CallAsync("perf", new { addr = jsB.DialAddress, upload = bytes, download = 0 }, TimeSpan.FromMinutes(10));
            jsUp = Math.Max(jsUp, bytes / (jup["totalMs"]!.GetValue<double>() / 1000));
            JsonObject jdown = await jsA.CallAsync("perf", new { addr = jsB.DialAddress, upload = 0, download = bytes }, TimeSpan.FromMinutes(10));
            jsDown = Math.Max(jsDown, bytes / (jdown["totalMs"]!.GetValue<double>() / 1000));
        }

        // Connection setup: dial (TCP, mss, Noise XX, mss, Yamux) until identify has answered.
        var setup = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            await using CSharpPeer fresh = await CSharpPeer.StartAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            long start = Stopwatch.GetTimestamp();
            await a.Host.DialAsync(fresh.DialAddress, CancellationToken.None);
            await a.Identify.WaitForIdentifyAsync(fresh.Host.PeerId, CancellationToken.None);
            setup.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await a.Host.DisconnectAsync(fresh.Host.PeerId);
        }

        IReadOnlyList<TimeSpan> pings = await a.Ping.PingAsync(b.Host.PeerId, 1000, CancellationToken.None);
        var jsPings = new List<double>();
        int jsPingFailures = 0;
        for (int i = 0; i < 200; i++)
        {
            try
            {
                JsonObject p = await jsA.CallAsync("ping", new { addr = jsB.DialAddress });
                jsPings.Add(p["rtt"]!.GetValue<double>());
            }
            catch (JsPeerException)
            {
                // js-libp2p's ping now and then fails on a stream its peer already closed; count it, go on.
                jsPingFailures++;
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Measure (loopback, one run)                 |      C#↔C# | js↔js | ratio C#/js |");
        Console.WriteLine("|---------------------------------------------|-----------:|------:|------------:|");
        Row("perf upload, MB/s", csUp / 1e6, jsUp / 1e6);
        Row("perf download, MB/s", csDown / 1e6, jsDown / 1e6);
        setup.Sort();
        Console.WriteLine($"| connection setup + identify p50, ms         | {Percentile(setup, 0.50),10:F2} |   n/a |         n/a |");
        Console.WriteLine($"| connection setup + identify p99, ms         | {Percentile(setup, 0.99),10:F2} |   n/a |         n/a |");
        var pingMs = pings.Select(static p => p.TotalMilliseconds).Order().ToList();
        jsPings.Sort();
        Console.WriteLine($"| ping RTT p50, ms                            | {Percentile(pingMs, 0.50),10:F3} | {Percentile(jsPings, 0.50),5:F2} |        n/a |");
        Console.WriteLine();
        Console.WriteLine("| C#↔C# perf by transport (same run)          |        TCP |   /ws |  ratio ws/TCP |");
        Console.WriteLine("|---------------------------------------------|-----------:|------:|--------------:|");
        Console.WriteLine($"| {"perf upload, MB/s",-43} | {csUp / 1e6,10:F1} | {wsUp / 1e6,5:F1} | {wsUp / csUp,12:P0} |");
        Console.WriteLine($"| {"perf download, MB/s",-43} | {csDown / 1e6,10:F1} | {wsDown / 1e6,5:F1} | {wsDown / csDown,12:P0} |");
        Console.WriteLine();
        Console.WriteLine($"js ping RTT is measured by js-libp2p's ping service; each js ping opens a new stream ({jsPingFailures} of 200 js pings failed js-side).");
        return 0;
    }

    private static void Row(string name, double cs, double js) =>
        Console.WriteLine($"| {name,-43} | {cs,10:F1} | {js,5:F1} | {cs / js,10:F2}× |");

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
