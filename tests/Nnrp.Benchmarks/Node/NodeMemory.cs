using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// Node RSS (DESIGN "Targets": ≤ 120 MB idle, ≤ 400 MB with 1 M stored). Measured in a fresh
/// child process (this executable, <c>node rss-child</c>) that runs what <c>nnrp node</c> runs
/// minus HTTP and Kad: a libp2p host listening on loopback, the node (RocksDB store, ingress,
/// sweeper, /nnrp/1.0) and GossipSub on the notification topic, with the daemon's GC settings
/// (workstation, non-concurrent). RSS is read after a full blocking GC, so it is what the
/// process holds, not garbage waiting for a collection. The 1 M fill writes straight through the
/// store in batches of <see cref="FillBatch"/> (one WriteBatch and one WAL sync each), the
/// fastest durable way in; the ingress checks are measured by the throughput rows.
/// </summary>
internal static class NodeMemory
{
    public const string ChildCommand = "rss-child";

    /// <summary>Notifications per WriteBatch in the fill; big batches keep the fill to seconds.</summary>
    public const int FillBatch = 10_000;

    private const int PayloadSize = 256;

    /// <summary>RSS and managed heap in MiB, idle and filled, and the fill rate.</summary>
    public sealed record MemoryFigures(double IdleMiB, double IdleManagedMiB, double FilledMiB, double FilledManagedMiB, double FillPerSecond);

    /// <summary>Runs the child and returns its figures.</summary>
    public static async Task<MemoryFigures> MeasureAsync(string dataDirectory, int count)
    {
        await using NodeChild child = NodeChild.Start(ChildCommand, dataDirectory, count.ToString(CultureInfo.InvariantCulture));
        double idle = Number(await child.ReadAsync("idle"));
        double idleManaged = Number(await child.ReadAsync("idle_managed"));
        double fill = Number(await child.ReadAsync("fill_per_s"));
        _ = await child.ReadAsync("stored");
        double filled = Number(await child.ReadAsync("filled"));
        double managed = Number(await child.ReadAsync("managed"));
        return new MemoryFigures(idle, idleManaged, filled, managed, fill);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The child: start, settle, report idle RSS; fill, settle, report filled RSS.</summary>
    public static async Task<int> RunChildAsync(string dataDirectory, int count)
    {
        var listen = new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] };
        await using var host = new Libp2pHost(KeyPair.Generate(), listen, NullLoggerFactory.Instance);
        NnrpNode node = NnrpNode.Start(host, new NnrpNodeOptions
        {
            DataDirectory = dataDirectory,
            Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = 0 } },
        });
        await using (node)
        {
            await using GossipSubService gossip = GossipSubService.Attach(host, NotificationGossip.DefaultOptions(), NullLoggerFactory.Instance);
            new NotificationGossip(gossip, node).Start();
            await host.StartAsync(CancellationToken.None);
            // A few heartbeats and the sweeper's first pass, as an idle daemon would have run.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Console.WriteLine($"idle {RssMiB().ToString("F1", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"idle_managed {(GC.GetTotalMemory(false) / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture)}");

            ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            byte[] payload = RandomNumberGenerator.GetBytes(PayloadSize);
            var clock = Stopwatch.StartNew();
            var batch = new List<Notification>(FillBatch);
            for (int i = 0; i < count; i += FillBatch)
            {
                batch.Clear();
                for (int j = i; j < Math.Min(count, i + FillBatch); j++)
                {
                    // Distinct tags (the per-tag cap stays out of the way); the payload differs
                    // in its first bytes so every hash is new, without 256 MB of random bytes.
                    byte[] p = (byte[])payload.Clone();
                    BitConverter.TryWriteBytes(p, j);
                    batch.Add(new Notification(1, RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32)), now, NotificationLimits.MaxTtl, p, (ulong)j));
                }
                node.Store.Put(batch);
            }
            double rate = count / clock.Elapsed.TotalSeconds;
            batch.Clear();
            await Task.Delay(TimeSpan.FromSeconds(3));
            Console.WriteLine($"fill_per_s {rate.ToString("F0", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"stored {node.Store.Statistics.Count.ToString(CultureInfo.InvariantCulture)}");
            Console.WriteLine($"filled {RssMiB().ToString("F1", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"managed {(GC.GetTotalMemory(false) / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture)}");
        }
        return 0;
    }

    private static double RssMiB()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using Process self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024.0 * 1024.0);
    }
}
