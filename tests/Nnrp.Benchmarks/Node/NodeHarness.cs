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
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// <c>node</c> harness (DESIGN "Targets"): notifications accepted per second through the
/// ingress gate into RocksDB with the WAL synced per group (≥ 20 000/s), the same over
/// /nnrp/1.0 from one client on loopback (≥ 5 000/s), and fetch latency of a 1 000-item
/// mailbox (p99 &lt; 10 ms). The work check runs for every notification; the threshold is 0
/// so that the benchmark measures the node, not the sender's PoW.
/// Then node RSS idle and with 1 M stored notifications (≤ 120 MB, ≤ 400 MB; <see cref="NodeMemory"/>).
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- node [in-process count] [loopback count] [stored count] [in flight]
/// dotnet run -c Release --project tests/Nnrp.Benchmarks -- node --filter fetch [rounds]    the fetch case alone</code>
/// </summary>
internal static class NodeHarness
{
    /// <summary>A sealed payment event is about this big (enc 32 + JSON ≈ 200 + tag 16).</summary>
    private const int PayloadSize = 256;

    private static readonly WorkPolicy Free = new() { BaseThreshold = 0 };

    /// <summary>Publishes one client keeps in flight by default, each on its own stream (one request per stream, §11.1).</summary>
    private const int DefaultInFlight = 128;

    private const string LoopbackChildCommand = "loopback-child";

    /// <summary>Publishes sent before the loopback clock starts.</summary>
    private const int WarmUp = 5000;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 2 && args[0] == LoopbackChildCommand)
        {
            return await LoopbackChildAsync(args[1]);
        }
        if (args.Length == 3 && args[0] == NodeMemory.ChildCommand)
        {
            return await NodeMemory.RunChildAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }
        if (args.Length >= 2 && args[0] == FilterOption)
        {
            return args[1] == FetchCase
                ? await FetchOnlyAsync(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : DefaultFetchRounds)
                : throw new ArgumentException($"node {FilterOption} takes '{FetchCase}' (the only case that runs alone), not '{args[1]}'");
        }
        int inProcess = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        int loopback = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30_000;
        int stored = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
        int inFlight = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : DefaultInFlight;
        string root = Path.Combine(Path.GetTempPath(), "nnrp-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.WriteLine($"Node harness: {Environment.ProcessorCount} logical cores, payload {PayloadSize} B, WAL synced per group");
            Console.WriteLine();
            Console.WriteLine($"| {"Measure",-50} | {"Result",14} | {"Target",-12} |");
            Console.WriteLine($"|{new string('-', 52)}|{new string('-', 15)}:|{new string('-', 14)}|");
            double rate = await InProcessAsync(Path.Combine(root, "a"), inProcess);
            Row($"accepted/s in-process, durable ({inProcess:N0})", $"{rate:N0}", "≥ 20 000/s");
            Loopback wire = await LoopbackAsync(Path.Combine(root, "b"), loopback, inFlight);
            Row($"accepted/s over /nnrp/1.0, one client ({loopback:N0})", $"{wire.Rate:N0}", "≥ 5 000/s");
            Row("  publishes in flight (one stream each)", $"{inFlight:N0}");
            Row("  node process CPU per publish", $"{wire.NodeCpuMicros:F0} µs");
            Row("  node managed allocation per publish", $"{wire.NodeAllocatedBytes:N0} B");
            Row("  client process CPU per publish", $"{wire.ClientCpuMicros:F0} µs");
            Row("  of which the receipt check (Ed25519 verify)", $"{wire.VerifyMicros:F0} µs");
            Row("fetch 1 000-item mailbox (2 pages) p50", $"{wire.MailboxP50:F2} ms");
            Row("fetch 1 000-item mailbox (2 pages) p99", $"{wire.MailboxP99:F2} ms", "p99 < 10 ms");
            Row("fetch one 500-item page p50", $"{wire.PageP50:F2} ms");
            NodeMemory.MemoryFigures memory = await NodeMemory.MeasureAsync(Path.Combine(root, "c"), stored);
            Row("node RSS idle (child process, after GC)", $"{memory.IdleMiB:F0} MB", "≤ 120 MB");
            Row("  of which managed heap", $"{memory.IdleManagedMiB:F1} MB");
            Row($"node RSS with {stored:N0} stored (after GC)", $"{memory.FilledMiB:F0} MB", "≤ 400 MB");
            Row("  of which managed heap", $"{memory.FilledManagedMiB:F1} MB");
            Row($"store fill, {NodeMemory.FillBatch:N0}-item batches (/s)", $"{memory.FillPerSecond:N0}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Row(string measure, string result, string target = "—") =>
        Console.WriteLine($"| {measure,-50} | {result,14} | {target,-12} |");

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
        int accepted = await RunConcurrentAsync(all, 512, n => gate.SubmitAsync(n), r => r.Status == DecisionStatus.Accepted);
        double rate = accepted / clock.Elapsed.TotalSeconds;
        Check(accepted, count);
        return rate;
    }

    /// <summary>Loopback figures: accepted/s, CPU µs per publish in the node and client processes, fetch latencies (ms).</summary>
    private sealed record Loopback(double Rate, double NodeCpuMicros, double NodeAllocatedBytes, double ClientCpuMicros, double VerifyMicros,
        double MailboxP50, double MailboxP99, double PageP50);

    /// <summary>
    /// The node runs in a child process (<see cref="LoopbackChildAsync"/>), as <c>nnrp node</c>
    /// would, so its CPU per publish is measured apart from the client's; the client is this
    /// process, one libp2p host keeping <paramref name="inFlight"/> publishes in flight.
    /// </summary>
    private static async Task<Loopback> LoopbackAsync(string path, int count, int inFlight)
    {
        await using NodeChild node = NodeChild.Start(LoopbackChildCommand, path);
        Multiaddr address = Multiaddr.Parse(await node.ReadAsync("addr"));
        var listen = new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] };
        await using var clientHost = new Libp2pHost(KeyPair.Generate(), listen, NullLoggerFactory.Instance);
        await clientHost.StartAsync(CancellationToken.None);
        var client = new NnrpClient(clientHost);
        PeerId nodeId = PeerId.FromBytes(address.PeerIdMultihash!.Value.Span);
        await client.StatusAsync(address);

        // Warm-up: tiered JIT and the first RocksDB memtable, which a running daemon has long past.
        Notification[] warm = Make(Math.Min(count / 5, WarmUp));
        Check(await RunConcurrentAsync(warm, inFlight, n => client.PublishAsync(nodeId, n), r => r.Status == StatusCode.Ok), warm.Length);

        Notification[] all = Make(count);
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        TimeSpan clientBefore = self.TotalProcessorTime;
        double nodeBefore = double.Parse(await node.AskAsync("cpu", "cpu"), CultureInfo.InvariantCulture);
        long allocatedBefore = long.Parse(await node.AskAsync("allocated", "allocated"), CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        PublishResult? last = null;
        int accepted = await RunConcurrentAsync(all, inFlight, n => client.PublishAsync(nodeId, n), r =>
        {
            last = r;
            return r.Status == StatusCode.Ok;
        });
        double rate = accepted / clock.Elapsed.TotalSeconds;
        double nodeMicros = (double.Parse(await node.AskAsync("cpu", "cpu"), CultureInfo.InvariantCulture) - nodeBefore) / count;
        double nodeBytes = (double)(long.Parse(await node.AskAsync("allocated", "allocated"), CultureInfo.InvariantCulture) - allocatedBefore) / count;
        self.Refresh();
        double clientMicros = (self.TotalProcessorTime - clientBefore).TotalMicroseconds / count;
        Check(accepted, count);
        double verifyMicros = ReceiptCheckMicros(last!.Receipt!);

        MailboxFetch fetch = await FetchMailboxAsync(node, client, nodeId, DefaultFetchRounds);
        return new Loopback(rate, nodeMicros, nodeBytes, clientMicros, verifyMicros, fetch.P50, fetch.P99, fetch.PageP50);
    }

    private const string FilterOption = "--filter";
    private const string FetchCase = "fetch";

    /// <summary>Mailbox fetch rounds timed by default, after the warm-up (<see cref="JitWarmUp"/>).</summary>
    private const int DefaultFetchRounds = 1000;

    private const int MailboxSize = 1000;

    /// <summary>Mailbox fetch latencies (ms) and what the rounds cost the node and the client, per mailbox.</summary>
    private sealed record MailboxFetch(double P50, double P99, double PageP50, double Max, int Samples,
        double NodeCpuMicros, double NodeAllocatedBytes, string NodeCollections, double ClientAllocatedBytes, string ClientCollections);

    /// <summary>
    /// <c>node --filter fetch [rounds]</c>: the fetch case alone — a fresh child node, the
    /// 1 000-item mailbox written into its store, fetched as two 500-item pages per round, so
    /// the latency is not mixed with a publish run's flushes and compactions. Prints the child's
    /// pid first, for attaching dotnet-trace / dotnet-counters to it.
    /// </summary>
    private static async Task<int> FetchOnlyAsync(int rounds)
    {
        string root = Path.Combine(Path.GetTempPath(), "nnrp-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using NodeChild node = NodeChild.Start(LoopbackChildCommand, root);
            Multiaddr address = Multiaddr.Parse(await node.ReadAsync("addr"));
            Console.WriteLine($"Node fetch case: {Environment.ProcessorCount} logical cores, node child pid {node.ProcessId}, {rounds} timed rounds after a warm-up that ends when the JIT is quiet");
            var listen = new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] };
            await using var clientHost = new Libp2pHost(KeyPair.Generate(), listen, NullLoggerFactory.Instance);
            await clientHost.StartAsync(CancellationToken.None);
            var client = new NnrpClient(clientHost);
            PeerId nodeId = PeerId.FromBytes(address.PeerIdMultihash!.Value.Span);
            await client.StatusAsync(address);
            RecipientTag tag = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32));
            await node.AskAsync("mailbox " + tag, "mailbox");
            FetchPathComparison.FetchPath[] paths =
            [
                new("protobuf parse (before)", q => FetchPathComparison.ProtobufFetchAsync(clientHost, nodeId, q)),
                new("NnrpClient (after)", q => client.FetchAsync(nodeId, q)),
            ];
            (FetchPathComparison.Figures[] f, JitWarmUp.Result warmUp) = await FetchPathComparison.RunAsync(node, tag, paths, rounds, MailboxSize);
            Console.WriteLine(warmUp.Describe() + ".");
            Console.WriteLine();
            Console.WriteLine("Client paths side by side, one mailbox each per round, order alternating:");
            Console.WriteLine();
            Console.WriteLine($"| {"Measure",-44} | {f[0].Name,24} | {f[1].Name,20} | {"ratio",6} |");
            Console.WriteLine($"|{new string('-', 46)}|{new string('-', 25)}:|{new string('-', 21)}:|{new string('-', 7)}:|");
            int samples = f[0].Mailbox.Count;
            Compare($"fetch {MailboxSize:N0}-item mailbox (2 pages) p50, ms", f[0].Percentile(0.50), f[1].Percentile(0.50), "F2");
            Compare($"fetch {MailboxSize:N0}-item mailbox (2 pages) p90, ms", f[0].Percentile(0.90), f[1].Percentile(0.90), "F2");
            Compare($"fetch {MailboxSize:N0}-item mailbox (2 pages) p99, ms", f[0].Percentile(0.99), f[1].Percentile(0.99), "F2");
            Compare($"fetch {MailboxSize:N0}-item mailbox (2 pages) max, ms", f[0].Mailbox.Max(), f[1].Mailbox.Max(), "F2");
            Compare("fetch one 500-item page p50, ms", f[0].PageMedian, f[1].PageMedian, "F2");
            Compare("client managed allocation per mailbox, B", (double)f[0].ClientAllocated / samples, (double)f[1].ClientAllocated / samples, "N0");
            Compare("node process CPU per mailbox, µs", f[0].NodeCpuMicros / samples, f[1].NodeCpuMicros / samples, "F0");
            Compare("node managed allocation per mailbox, B", (double)f[0].NodeAllocated / samples, (double)f[1].NodeAllocated / samples, "N0");
            Console.WriteLine($"| {"client GCs gen0/gen1/gen2 (timed mailboxes)",-44} | {string.Join('/', f[0].ClientCollections),24} | {string.Join('/', f[1].ClientCollections),20} | {"",6} |");
            Console.WriteLine($"| {"samples per path",-44} | {samples,24} | {f[1].Mailbox.Count,20} | {"",6} |");
            Console.WriteLine($"Target: p99 < 10 ms for the 1 000-item mailbox ({f[1].Name}: {f[1].Percentile(0.99):F2} ms).");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Compare(string measure, double before, double after, string format) =>
        Console.WriteLine($"| {measure,-44} | {before.ToString(format, CultureInfo.InvariantCulture),24} | {after.ToString(format, CultureInfo.InvariantCulture),20} | {after / before,5:F2}× |");

    /// <summary>Writes a <see cref="MailboxSize"/>-item mailbox into the child's store and times <paramref name="rounds"/> fetches of it.</summary>
    private static async Task<MailboxFetch> FetchMailboxAsync(NodeChild node, NnrpClient client, PeerId nodeId, int rounds)
    {
        RecipientTag tag = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32));
        await node.AskAsync("mailbox " + tag, "mailbox");
        async Task<double> MailboxAsync(Stopwatch? clock = null)
        {
            NotificationPage first = await client.FetchAsync(nodeId, FetchQuery.ForTag(tag, limit: FetchQuery.MaxLimit));
            double page = clock?.Elapsed.TotalMilliseconds ?? 0;
            NotificationPage second = await client.FetchAsync(nodeId, FetchQuery.ForTag(tag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor));
            if (first.Notifications.Count + second.Notifications.Count != MailboxSize)
            {
                throw new InvalidOperationException("the mailbox did not come back whole");
            }
            return page;
        }
        JitWarmUp.Result warmUp = await JitWarmUp.UntilQuietAsync(node, () => JitWarmUp.TimeAsync(() => MailboxAsync()));
        Console.Error.WriteLine("fetch: " + warmUp.Describe());
        var mailbox = new List<double>();
        var pages = new List<double>();
        double cpuBefore = double.Parse(await node.AskAsync("cpu", "cpu"), CultureInfo.InvariantCulture);
        long allocatedBefore = long.Parse(await node.AskAsync("allocated", "allocated"), CultureInfo.InvariantCulture);
        string gcBefore = await node.AskAsync("gc", "gc");
        long clientBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] clientGcBefore = Collections();
        for (int i = 0; i < rounds; i++)
        {
            var t = Stopwatch.StartNew();
            pages.Add(await MailboxAsync(t));
            mailbox.Add(t.Elapsed.TotalMilliseconds);
        }
        int timed = rounds;
        double cpu = (double.Parse(await node.AskAsync("cpu", "cpu"), CultureInfo.InvariantCulture) - cpuBefore) / timed;
        double allocated = (double)(long.Parse(await node.AskAsync("allocated", "allocated"), CultureInfo.InvariantCulture) - allocatedBefore) / timed;
        int[] nodeGc = ParseCollections(await node.AskAsync("gc", "gc"));
        int[] nodeGcBefore = ParseCollections(gcBefore);
        double clientAllocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - clientBefore) / timed;
        int[] clientGc = Collections();
        mailbox = mailbox.Order().ToList();
        pages = pages.Order().ToList();
        return new MailboxFetch(Percentile(mailbox, 0.50), Percentile(mailbox, 0.99), Percentile(pages, 0.50), mailbox[^1], mailbox.Count,
            cpu, allocated, Difference(nodeGc, nodeGcBefore), clientAllocated, Difference(clientGc, clientGcBefore));
    }

    private static int[] Collections() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    private static string FormatCollections(int[] counts) => string.Join('/', counts.Select(c => c.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseCollections(string value) => value.Split('/').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static string Difference(int[] after, int[] before) => FormatCollections(after.Zip(before, (a, b) => a - b).ToArray());

    /// <summary>
    /// The loopback node process: host + node on 127.0.0.1, prints <c>addr</c>, then answers
    /// <c>cpu</c> (its processor time, µs), <c>allocated</c> (managed bytes so far), <c>gc</c>
    /// (collections so far, gen0/gen1/gen2) and <c>mailbox &lt;tag&gt;</c> (1 000 notifications for
    /// that tag written straight into the store: per-tag escalation would rightly price a
    /// 1 000-item burst out) until stdin closes.
    /// </summary>
    private static async Task<int> LoopbackChildAsync(string path)
    {
        NnrpNode node = await NnrpNode.StartAsync(new NnrpNodeOptions
        {
            DataDirectory = path,
            Ingress = new IngressOptions { Policy = Free },
            // One benchmark client is far above a wallet's rate; lift the per-peer limit for it.
            Protocol = new NnrpServiceOptions { PeerRequestsPerSecond = 1e9, PeerBurst = int.MaxValue },
        });
        await using (node)
        {
            Console.WriteLine("addr " + node.Addresses[0]);
            using Process self = Process.GetCurrentProcess();
            while (await Console.In.ReadLineAsync() is { } line)
            {
                if (line == "cpu")
                {
                    self.Refresh();
                    Console.WriteLine("cpu " + self.TotalProcessorTime.TotalMicroseconds.ToString("F0", CultureInfo.InvariantCulture));
                }
                else if (line == "allocated")
                {
                    Console.WriteLine("allocated " + GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture));
                }
                else if (line == "jit")
                {
                    Console.WriteLine("jit " + System.Runtime.JitInfo.GetCompiledMethodCount().ToString(CultureInfo.InvariantCulture));
                }
                else if (line == "gc")
                {
                    Console.WriteLine("gc " + FormatCollections(Collections()));
                }
                else if (line.StartsWith("mailbox ", StringComparison.Ordinal))
                {
                    node.Store.Put(Make(MailboxSize, RecipientTag.Parse(line.AsSpan("mailbox ".Length))));
                    Console.WriteLine("mailbox ok");
                }
            }
        }
        return 0;
    }

    /// <summary>CPU time of the client's Ed25519 receipt check (NnrpClient verifies every receipt), timed alone.</summary>
    private static double ReceiptCheckMicros(StoreReceipt receipt)
    {
        const int Rounds = 5000;
        using Process self = Process.GetCurrentProcess();
        TimeSpan before = self.TotalProcessorTime;
        for (int i = 0; i < Rounds; i++)
        {
            if (!StoreReceipts.Verify(receipt))
            {
                throw new InvalidOperationException("a receipt from the node does not verify");
            }
        }
        self.Refresh();
        return (self.TotalProcessorTime - before).TotalMicroseconds / Rounds;
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
