using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// <c>node</c> harness (DESIGN "Targets"): notifications accepted per second through the
/// ingress gate into RocksDB with the WAL synced per group (≥ 20 000/s), the same over
/// /nnrp/1.0 from one client on loopback (≥ 5 000/s), and fetch latency of a 1 000-item
/// mailbox (p99 &lt; 10 ms). The work check runs for every notification; the threshold is 0
/// so that the benchmark measures the node, not the sender's PoW.
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- node [in-process count] [loopback count]</code>
/// </summary>
internal static class NodeHarness
{
    /// <summary>A sealed payment event is about this big (enc 32 + JSON ≈ 200 + tag 16).</summary>
    private const int PayloadSize = 256;

    private static readonly WorkPolicy Free = new() { BaseThreshold = 0 };

    public static async Task<int> RunAsync(string[] args)
    {
        int inProcess = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        int loopback = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30_000;
        string root = Path.Combine(Path.GetTempPath(), "nnrp-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.WriteLine($"Node harness: {Environment.ProcessorCount} logical cores, payload {PayloadSize} B, WAL synced per group");
            Console.WriteLine();
            Console.WriteLine("| Measure                                        |        Result | Target       |");
            Console.WriteLine("|------------------------------------------------|--------------:|--------------|");
            double rate = await InProcessAsync(Path.Combine(root, "a"), inProcess);
            Console.WriteLine($"| accepted/s in-process, durable ({inProcess:N0})       | {rate,13:N0} | ≥ 20 000/s   |");
            (double wire, double p50, double p99, double pageP50) = await LoopbackAsync(Path.Combine(root, "b"), loopback);
            Console.WriteLine($"| accepted/s over /nnrp/1.0, one client ({loopback:N0}) | {wire,13:N0} | ≥ 5 000/s    |");
            Console.WriteLine($"| fetch 1 000-item mailbox (2 pages) p50          | {p50,10:F2} ms | —            |");
            Console.WriteLine($"| fetch 1 000-item mailbox (2 pages) p99          | {p99,10:F2} ms | p99 < 10 ms  |");
            Console.WriteLine($"| fetch one 500-item page p50                     | {pageP50,10:F2} ms | —            |");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Notification[] Make(int count, RecipientTag? tag = null)
    {
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var all = new Notification[count];
        for (int i = 0; i < count; i++)
        {
            all[i] = new Notification(1, tag ?? RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32)), now, NotificationLimits.MaxTtl,
                RandomNumberGenerator.GetBytes(PayloadSize), (ulong)i);
        }
        return all;
    }

    private static async Task<double> InProcessAsync(string path, int count)
    {
        Notification[] all = Make(count);
        using RocksDbNotificationStore store = RocksDbNotificationStore.Open(path);
        await using var gate = new IngressGate(store, new IngressOptions { Policy = Free });
        var clock = Stopwatch.StartNew();
        int accepted = await RunConcurrentAsync(all, 512, n => gate.SubmitAsync(n), r => r.Status == IngressStatus.Accepted);
        double rate = accepted / clock.Elapsed.TotalSeconds;
        Check(accepted, count);
        return rate;
    }

    private static async Task<(double Rate, double P50, double P99, double PageP50)> LoopbackAsync(string path, int count)
    {
        var listen = new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] };
        await using var nodeHost = new Libp2pHost(KeyPair.Generate(), listen, NullLoggerFactory.Instance);
        await nodeHost.StartAsync(CancellationToken.None);
        NnrpNode node = NnrpNode.Start(nodeHost, new NnrpNodeOptions
        {
            DataDirectory = path,
            Ingress = new IngressOptions { Policy = Free },
            // One benchmark client is far above a wallet's rate; lift the per-peer limit for it.
            Protocol = new NnrpServiceOptions { PeerRequestsPerSecond = 1e9, PeerBurst = int.MaxValue },
        });
        try
        {
            await using var clientHost = new Libp2pHost(KeyPair.Generate(), listen, NullLoggerFactory.Instance);
            await clientHost.StartAsync(CancellationToken.None);
            var client = new NnrpClient(clientHost);
            Multiaddr address = nodeHost.ListenAddresses[0].WithPeerIdMultihash(nodeHost.PeerId.Bytes.Span);
            await client.StatusAsync(address);

            Notification[] all = Make(count);
            var clock = Stopwatch.StartNew();
            int accepted = await RunConcurrentAsync(all, 128, n => client.PublishAsync(nodeHost.PeerId, n), r => r.Status == StatusCode.Ok);
            double rate = accepted / clock.Elapsed.TotalSeconds;
            Check(accepted, count);

            RecipientTag tag = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32));
            // Straight into the store: per-tag escalation would (rightly) price a 1 000-item burst out.
            node.Store.Put(Make(1000, tag));
            var mailbox = new List<double>();
            var pages = new List<double>();
            for (int i = 0; i < 300; i++)
            {
                var t = Stopwatch.StartNew();
                NotificationPage first = await client.FetchAsync(nodeHost.PeerId, FetchQuery.ForTag(tag, limit: FetchQuery.MaxLimit));
                pages.Add(t.Elapsed.TotalMilliseconds);
                NotificationPage second = await client.FetchAsync(nodeHost.PeerId, FetchQuery.ForTag(tag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor));
                mailbox.Add(t.Elapsed.TotalMilliseconds);
                if (first.Notifications.Count + second.Notifications.Count != 1000)
                {
                    throw new InvalidOperationException("the mailbox did not come back whole");
                }
            }
            // The first rounds warm the JIT and the block cache.
            mailbox = mailbox.Skip(50).Order().ToList();
            pages = pages.Skip(50).Order().ToList();
            return (rate, Percentile(mailbox, 0.50), Percentile(mailbox, 0.99), Percentile(pages, 0.50));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<int> RunConcurrentAsync<T>(Notification[] all, int concurrency, Func<Notification, Task<T>> submit, Func<T, bool> ok)
    {
        int next = -1;
        int accepted = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < all.Length)
            {
                if (ok(await submit(all[i])))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        })));
        return accepted;
    }

    private static void Check(int accepted, int count)
    {
        if (accepted != count)
        {
            throw new InvalidOperationException($"only {accepted} of {count} were accepted");
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
