using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub.Scoring;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Benchmarks.Libp2p;

/// <summary>
/// <c>gossipsub</c> harness (issue 4 "make bench"): propagation latency p50/p99 and duplicate
/// ratio in a loopback network of <c>nodes</c> C# hosts in this process (each dialing 3 random
/// earlier ones), the same shape and parameters in js-libp2p (tests/Interop/js/gossip-net.mjs,
/// all nodes in one node process, needs <c>make npm</c>), side by side, and the messages per
/// second one node validates and forwards to 6 mesh peers.
/// <code>dotnet run -c Release --project tests/Nnrp.Benchmarks -- gossipsub [nodes] [messages] [interval-ms]</code>
/// <c>GOSSIP_CS_ONLY=1</c> runs the C# network alone and prints <see cref="GossipSubDiagnostics"/>
/// (<c>GOSSIP_ALLOC=1</c> adds allocations by type, <c>GOSSIP_RATE=1</c> keeps the one-node rows).
/// </summary>
internal static class GossipSubHarness
{
    private const string Topic = "/nnrp/notifications/1.0";
    private const int Links = 3;
    private const int MessageSize = 200;
    private const int DefaultPublishIntervalMs = 5;

    /// <summary>Messages published (same schedule) and delivered before measuring: JIT tiering and pools reach steady state, as js/gossip-net.mjs.</summary>
    private const int WarmupMessages = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        int nodes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        int messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        int intervalMs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : DefaultPublishIntervalMs;
        Console.WriteLine($"GossipSub harness: {nodes} nodes per network, {Links} dials each, {messages} messages of {MessageSize} bytes due every {intervalMs} ms after {WarmupMessages} warm-up messages, {Environment.ProcessorCount} cores");
        Result cs = await CSharpNetworkAsync(nodes, messages, intervalMs);
        bool csOnly = GossipSubDiagnostics.Enabled; // quick iteration: skip js and the one-node rate, print diagnostics
        JsonObject? js = csOnly ? null : await JsNetwork.RunAsync("js/gossip-net.mjs", nodes, messages, intervalMs);
        var (throughput, bytesPerMessage) = csOnly && Environment.GetEnvironmentVariable("GOSSIP_RATE") != "1" ? (double.NaN, double.NaN) : await ValidateAndForwardRateAsync(100_000);
        double? jsDelivered = JsNetwork.Number(js, "delivered") / JsNetwork.Number(js, "expected");
        Console.WriteLine();
        Console.WriteLine("| Measure (loopback, one run)              |      C# | js-libp2p | js / C# |");
        Console.WriteLine("|------------------------------------------|--------:|----------:|--------:|");
        Console.WriteLine(JsNetwork.Row("propagation latency p50, ms", cs.P50, JsNetwork.Number(js, "p50")));
        Console.WriteLine(JsNetwork.Row("propagation latency p99, ms", cs.P99, JsNetwork.Number(js, "p99")));
        Console.WriteLine(JsNetwork.Row("latency from due time p50, ms", cs.DueP50, JsNetwork.Number(js, "dueP50")));
        Console.WriteLine(JsNetwork.Row("latency from due time p99, ms", cs.DueP99, JsNetwork.Number(js, "dueP99")));
        Console.WriteLine(JsNetwork.Row("duplicates per delivered message", cs.DuplicateRatio, JsNetwork.Number(js, "duplicatesPerDelivered")));
        Console.WriteLine(JsNetwork.Row("deliveries / expected", cs.Delivered, jsDelivered));
        Console.WriteLine(JsNetwork.Row($"publish phase ({messages} due every {intervalMs} ms), ms", cs.PublishMs, JsNetwork.Number(js, "publishMs")));
        Console.WriteLine($"| {"one node: validate + forward to 6, msg/s",-40} | {throughput,7:F0} |       n/a |     n/a |");
        Console.WriteLine($"| {"one node: allocated per forward, bytes",-40} | {bytesPerMessage,7:F0} |       n/a |     n/a |");
        return 0;
    }

    private static GossipSubOptions Options() => new()
    {
        SignaturePolicy = SignaturePolicy.StrictNoSign,
        MessageIdFunction = MessageIdFunctions.Sha256OfData,
        Scoring = new PeerScoreParams
        {
            Topics = new Dictionary<string, TopicScoreParams> { [Topic] = new() },
            IPColocationFactorWhitelist = [IPNetwork.Parse("127.0.0.0/8")],
        },
    };

    private sealed record Result(double P50, double P99, double DueP50, double DueP99, double DuplicateRatio, double Delivered, double PublishMs);

    private static async Task<Result> CSharpNetworkAsync(int nodes, int messages, int intervalMs)
    {
        var hosts = new List<Libp2pHost>();
        var services = new List<GossipSubService>();
        var latencies = new ConcurrentBag<double>();
        var dueLatencies = new ConcurrentBag<double>();
        long warmupReceived = 0;
        long publishStart = 0;
        var byMessage = new ConcurrentDictionary<int, ConcurrentBag<double>>();
        var sentAt = new long[messages + WarmupMessages];
        var readers = new List<Task>();
        var random = new Random(1);
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")], Limits = new ConnectionLimits { ExemptNetworks = ConnectionLimits.LoopbackNetworks } }, NullLoggerFactory.Instance);
                await host.StartAsync(CancellationToken.None);
                GossipSubService service = GossipSubService.Attach(host, Options());
                GossipSubscription subscription = service.Subscribe(Topic);
                readers.Add(Task.Run(async () =>
                {
                    await foreach (GossipMessage m in subscription.ReadAllAsync())
                    {
                        int id = BitConverter.ToInt32(m.Data.Span[1..]);
                        if (id >= messages)
                        {
                            Interlocked.Increment(ref warmupReceived);
                            continue;
                        }
                        long due = Volatile.Read(ref publishStart) + (long)(id * intervalMs * (Stopwatch.Frequency / 1000.0));
                        dueLatencies.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                        double ms = Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[id])).TotalMilliseconds;
                        latencies.Add(ms);
                        byMessage.GetOrAdd(id, _ => new ConcurrentBag<double>()).Add(ms);
                    }
                }));
                hosts.Add(host);
                services.Add(service);
            }
            for (int i = 1; i < nodes; i++)
            {
                foreach (int j in Enumerable.Range(0, i).OrderBy(_ => random.Next()).Take(Links))
                {
                    await hosts[i].DialAsync(hosts[j].ListenAddresses[0].WithPeerIdMultihash(hosts[j].PeerId.Bytes.Span), CancellationToken.None);
                }
            }
            await WaitAsync(() => services.All(s => s.GetMeshPeers(Topic).Count > 0), TimeSpan.FromSeconds(60));
            async Task PublishStreamAsync(int first, int count, long start)
            {
                for (int m = 0; m < count; m++)
                {
                    // A steady stream on a fixed schedule (message m due at m · interval), as js/gossip-net.mjs:
                    // a relative delay after each publish would stretch the stream on a busy process and
                    // so lower the offered load of the slower network.
                    TimeSpan wait = TimeSpan.FromMilliseconds(intervalMs * m) - Stopwatch.GetElapsedTime(start);
                    await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                    byte[] data = new byte[MessageSize];
                    random.NextBytes(data);
                    data[0] = 1;
                    BitConverter.TryWriteBytes(data.AsSpan(1), first + m);
                    Volatile.Write(ref sentAt[first + m], Stopwatch.GetTimestamp());
                    services[random.Next(nodes)].Publish(Topic, data);
                }
            }
            await PublishStreamAsync(messages, WarmupMessages, Stopwatch.GetTimestamp());
            await WaitAsync(() => Interlocked.Read(ref warmupReceived) >= (long)WarmupMessages * (nodes - 1), TimeSpan.FromSeconds(60));
            long duplicates0 = services.Sum(s => s.Metrics.Duplicates);
            long delivered0 = services.Sum(s => s.Metrics.Delivered);
            await using GossipSubDiagnostics? diagnostics = GossipSubDiagnostics.Enabled ? new GossipSubDiagnostics(() => latencies.Count) : null;
            Volatile.Write(ref publishStart, Stopwatch.GetTimestamp());
            await PublishStreamAsync(0, messages, publishStart);
            double publishMs = Stopwatch.GetElapsedTime(publishStart, sentAt[messages - 1]).TotalMilliseconds;
            long expected = (long)messages * (nodes - 1);
            await WaitAsync(() => latencies.Count >= expected, TimeSpan.FromSeconds(60));
            List<double> sorted = latencies.Order().ToList();
            List<double> dueSorted = dueLatencies.Order().ToList();
            if (diagnostics is not null)
            {
                await diagnostics.ReportAsync(messages, byMessage);
            }
            long duplicates = services.Sum(s => s.Metrics.Duplicates) - duplicates0;
            long deliveredTotal = services.Sum(s => s.Metrics.Delivered) - delivered0;
            return new Result(
                Percentile(sorted, 0.50), Percentile(sorted, 0.99), Percentile(dueSorted, 0.50), Percentile(dueSorted, 0.99),
                deliveredTotal == 0 ? 0 : (double)duplicates / deliveredTotal, (double)sorted.Count / expected, publishMs);
        }
        finally
        {
            foreach (GossipSubService s in services)
            {
                await s.DisposeAsync();
            }
            foreach (Libp2pHost h in hosts)
            {
                await h.DisposeAsync();
            }
        }
    }

    /// <summary>One node fed pre-encoded RPCs on its inbound stream, validating (a cheap validator) and forwarding to 6 mesh peers.</summary>
    private static async Task<(double Rate, double BytesPerMessage)> ValidateAndForwardRateAsync(int count)
    {
        await using var service = new GossipSubService(Options(), random: new Random(3));
        service.SetValidator(Topic, static (m, _, _) => ValueTask.FromResult(m.Data.Span[0] == 0 ? ValidationResult.Reject : ValidationResult.Accept));
        service.Start();
        await using GossipSubscription subscription = service.Subscribe(Topic);
        using var stop = new CancellationTokenSource();
        var tasks = new List<Task>();
        var hello = new RPC { Subscriptions = { new RPC.Types.SubOpts { Subscribe = true, Topicid = Topic } } };
        for (int i = 0; i < 6; i++)
        {
            PeerId sink = KeyPair.Generate().PeerId;
            var toSink = new Pipe();
            service.AddPeer(sink, outbound: true, null, _ => Task.FromResult(((IDuplexPipe)new Duplex(new Pipe().Reader, toSink.Writer), GossipProtocol.Meshsub12)));
            tasks.Add(DrainAsync(toSink.Reader, stop.Token));
            var fromSink = new Pipe();
            tasks.Add(service.HandleInboundStreamAsync(sink, GossipProtocol.Meshsub12, new Duplex(fromSink.Reader, new Pipe().Writer), true, null, stop.Token));
            var graft = new RPC { Subscriptions = { hello.Subscriptions }, Control = new ControlMessage { Graft = { new ControlGraft { TopicID = Topic } } } };
            await WriteAsync(fromSink.Writer, Encode([graft]));
        }
        await WaitAsync(() => service.GetMeshPeers(Topic).Count == 6, TimeSpan.FromSeconds(10));

        var random = new Random(5);
        byte[] feed = Encode(Enumerable.Range(0, count).Select(i =>
        {
            byte[] data = new byte[MessageSize];
            random.NextBytes(data);
            data[0] = 1;
            BitConverter.TryWriteBytes(data.AsSpan(1), i);
            return new RPC { Publish = { new Message { Topic = Topic, Data = ByteString.CopyFrom(data) } } };
        }).Prepend(hello));
        PeerId feeder = KeyPair.Generate().PeerId;
        var fromFeeder = new Pipe();
        service.AddPeer(feeder, outbound: false, null, _ => Task.FromResult(((IDuplexPipe)new Duplex(new Pipe().Reader, new Pipe().Writer), GossipProtocol.Meshsub12)));
        tasks.Add(service.HandleInboundStreamAsync(feeder, GossipProtocol.Meshsub12, new Duplex(fromFeeder.Reader, new Pipe().Writer), false, null, stop.Token));
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await WriteAsync(fromFeeder.Writer, feed);
        await WaitAsync(() => service.Metrics.Delivered + service.Metrics.ValidationDropped >= count, TimeSpan.FromSeconds(120));
        double rate = service.Metrics.Delivered / clock.Elapsed.TotalSeconds;
        double bytesPerMessage = (GC.GetTotalAllocatedBytes(precise: true) - allocated0) / (double)count;
        await stop.CancelAsync();
        return (rate, bytesPerMessage);
    }

    private static byte[] Encode(IEnumerable<RPC> rpcs)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (RPC rpc in rpcs)
        {
            RpcCodec.Write(buffer, rpc);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteAsync(PipeWriter writer, byte[] bytes)
    {
        for (int offset = 0; offset < bytes.Length; offset += 64 * 1024)
        {
            await writer.WriteAsync(bytes.AsMemory(offset, Math.Min(64 * 1024, bytes.Length - offset)));
        }
    }

    private static async Task DrainAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < timeout)
        {
            await Task.Delay(20);
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

}
