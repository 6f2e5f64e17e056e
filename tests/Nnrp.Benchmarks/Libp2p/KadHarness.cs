using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Ping;

namespace Nnrp.Benchmarks.Libp2p;

/// <summary>
/// <c>kad</c> harness: an N-node C# Kad-DHT on loopback (each node bootstrapped from the first),
/// then random FIND_NODE walks from random nodes: lookup latency p50/p99 and Kad requests per
/// lookup. The js-libp2p network of the same size is not measured yet (see Kad/README.md).
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- kad [nodes=50] [lookups=200]</code>
/// </summary>
internal static class KadHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        int lookups = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var nodes = new List<(Libp2pHost Host, KadService Kad)>();
        try
        {
            Multiaddr? first = null;
            for (int i = 0; i < size; i++)
            {
                var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, NullLoggerFactory.Instance);
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
            double avgTable = nodes.Average(static n => n.Kad.RoutingTable.Count);
            Console.WriteLine($"Kad harness: {size} C# nodes on loopback, {lookups} FIND_NODE walks (k=20, α=3), mean table size {avgTable:F1}");
            Console.WriteLine();
            Console.WriteLine("| Network          | lookup p50 (ms) | lookup p99 (ms) | requests / lookup |");
            Console.WriteLine("|------------------|----------------:|----------------:|------------------:|");
            Console.WriteLine($"| C# ({size} nodes)   | {Percentile(latencies, 0.50),15:F2} | {Percentile(latencies, 0.99),15:F2} | {(double)requests / lookups,17:F1} |");
            Console.WriteLine($"| js ({size} nodes)   |     not measured |     not measured |      not measured |");
            return 0;
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
