namespace Nnrp.Benchmarks;

/// <summary>Named whole-system benchmark harnesses; each prints its own table.</summary>
internal static class Harnesses
{
    public static readonly IReadOnlyDictionary<string, Func<string[], Task<int>>> All =
        new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
        {
            // Per-core hash rate of every PoW path, speed-ups, cycles/hash, all-cores generator rate.
            ["pow"] = Core.PowHarness.RunAsync,
            // perf throughput C#↔C# vs js↔js, connection setup p50/p99, ping RTT (needs `make npm`).
            ["libp2p"] = Libp2p.NetworkHarness.RunAsync,
            // GossipSub: propagation p50/p99 and duplicates, C# vs js networks; one node's validate+forward rate.
            ["gossipsub"] = Libp2p.GossipSubHarness.RunAsync,
            // Kad-DHT lookup latency p50/p99 and requests per lookup in an N-node loopback network.
            ["kad"] = Libp2p.KadHarness.RunAsync,
            // Accepted/s durable in-process and over /nnrp/1.0 on loopback, 1 000-item mailbox fetch p50/p99.
            ["node"] = Node.NodeHarness.RunAsync,
            // PoW hashes/s in headless Chromium (Web Workers) vs the C# generator, 1 … N threads (needs `make wallet`).
            ["browser-pow"] = Browser.BrowserPowHarness.RunAsync,
        };
}
