using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Ping;

namespace Nnrp.Benchmarks.Libp2p;

/// <summary>
/// <c>kad</c> harness (issue 3 "make bench"): an N-node C# Kad-DHT on loopback (each node
/// bootstrapped from the first), then random FIND_NODE walks from random nodes: lookup latency
/// p50/p99 and Kad requests per lookup; then the same for an N-node js-libp2p network in one
/// node process (tests/Interop/js/kad-net.mjs, same shape and k/α), side by side.
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- kad [nodes=50] [lookups=200]</code>
/// </summary>
internal static class KadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        int lookups = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        Console.WriteLine($"Kad harness: {size} nodes per network on loopback, {lookups} FIND_NODE walks (k=20, α=3), {Environment.ProcessorCount} cores");
        Result cs = await CSharpNetworkAsync(size, lookups);
        JsonObject? js = await JsNetwork.RunAsync("js/kad-net.mjs", size, lookups);
        Console.WriteLine();
        Console.WriteLine("| Measure (loopback, one run)              |      C# | js-libp2p | js / C# |");
        Console.WriteLine("|------------------------------------------|--------:|----------:|--------:|");
        Console.WriteLine(JsNetwork.Row("lookup latency p50, ms", cs.P50, JsNetwork.Number(js, "p50")));
        Console.WriteLine(JsNetwork.Row("lookup latency p99, ms", cs.P99, JsNetwork.Number(js, "p99")));
        Console.WriteLine(JsNetwork.Row("requests (queries sent) / lookup", cs.RequestsPerLookup, JsNetwork.Number(js, "queriesPerLookup")));
        Console.WriteLine(JsNetwork.Row("mean routing table size", cs.MeanTable, JsNetwork.Number(js, "meanTable")));
        if (JsNetwork.Number(js, "failed") is double failed and > 0)
        {
            Console.WriteLine($"js: {failed} of {lookups} lookups failed (timed as they ended)");
        }
        return 0;
    }

    private readonly record struct Result(double P50, double P99, double RequestsPerLookup, double MeanTable);

    private static async Task<Result> CSharpNetworkAsync(int size, int lookups)
    {
        var nodes = new List<(Libp2pHost Host, KadService Kad)>();
        try
        {
            Multiaddr? first = null;
            for (int i = 0; i < size; i++)
            {
                var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")], Limits = new ConnectionLimits { ExemptNetworks = ConnectionLimits.LoopbackNetworks } }, NullLoggerFactory.Instance);
                var identify = new IdentifyService(host);
                identify.Start();
                new PingService(host).Start();
                var options = new KadOptions { AllowPrivateAddresses = true, BootstrapPeers = first is null ? [] : [first] };
                var kad = new KadService(host, new MemoryProviderStore(), options, identify);
                await host.StartAsync(CancellationToken.None);
                await kad.StartAsync(CancellationToken.None);
                first ??= host.ListenAddresses[0].WithPeerIdMultihash(host.PeerId.Bytes.Span);
                nodes.Add((host, kad));
            }
            foreach (var (_, kad) in nodes)
            {
                await kad.BootstrapAsync(CancellationToken.None);
            }
            var random = new Random(1);
            var latencies = new List<double>(lookups);
            long requests = 0;
            for (int i = 0; i < lookups; i++)
            {
                var (_, kad) = nodes[random.Next(nodes.Count)];
                var (target, _) = nodes[random.Next(nodes.Count)];
                long before = kad.RequestsSent;
                long start = Stopwatch.GetTimestamp();
                await kad.GetClosestPeersAsync(target.PeerId.Bytes, CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                requests += kad.RequestsSent - before;
            }
            latencies.Sort();
            return new Result(Percentile(latencies, 0.50), Percentile(latencies, 0.99), (double)requests / lookups, nodes.Average(static n => n.Kad.RoutingTable.Count));
        }
        finally
        {
            foreach (var (host, kad) in nodes)
            {
                await kad.DisposeAsync();
                await host.DisposeAsync();
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}


/// <summary>
/// Runs one of the js-libp2p bench networks (tests/Interop/js/*-net.mjs: N js-libp2p nodes in
/// one node process) to its end and reads the one JSON line it prints, and formats the C# / js
/// table rows of the <c>kad</c> and <c>gossipsub</c> harnesses.
/// </summary>
internal static class JsNetwork
{
    /// <summary>50 js nodes bootstrap and walk slowly on 2 shared cores; this only stops a hung run.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(20);

    /// <summary>The final JSON object, or null (reason printed) when node or js-libp2p is missing or the run failed.</summary>
    public static async Task<JsonObject?> RunAsync(string script, params int[] arguments)
    {
        string directory;
        try
        {
            directory = JsPeer.InteropDirectory;
        }
        catch (DirectoryNotFoundException ex)
        {
            Console.WriteLine($"js network skipped: {ex.Message}");
            return null;
        }
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "libp2p")))
        {
            Console.WriteLine($"js network skipped: js-libp2p is not installed in {directory} (run `make npm`)");
            return null;
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "--import", "./js/polyfill.mjs", script },
        };
        foreach (int argument in arguments)
        {
            start.ArgumentList.Add(argument.ToString(CultureInfo.InvariantCulture));
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        JsonObject? result = null;
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                try
                {
                    result = JsonNode.Parse(line) as JsonObject ?? result;
                }
                catch (JsonException)
                {
                    // a stray console line from a dependency
                }
            }
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Console.WriteLine($"js network {script} did not finish in {RunTimeout.TotalMinutes} min");
            return null;
        }
        if (result is null)
        {
            Console.WriteLine($"js network {script} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
        }
        return result;
    }

    public static double? Number(JsonObject? result, string name) =>
        result?[name] is JsonValue value && value.TryGetValue(out double number) ? number : null;

    /// <summary>One table row: the C# figure, the js figure and js / C#.</summary>
    public static string Row(string measure, double cs, double? js) =>
        $"| {measure,-40} | {cs,7:F2} | {(js is { } j ? j.ToString("F2", CultureInfo.InvariantCulture) : "n/a"),9} | {(js is { } r && cs > 0 ? (r / cs).ToString("F2", CultureInfo.InvariantCulture) + "×" : "n/a"),7} |";
}
