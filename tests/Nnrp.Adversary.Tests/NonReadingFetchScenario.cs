using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Nnrp.Cli.Tests;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Protocol;
using Xunit.Abstractions;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 4: a mailbox prefix of 500 full-size notifications (a ~1.15 MB answer) on a
/// real `nnrp node`; 4 attacker peers open 64 /nnrp/1.0 fetch streams each (256 in all) for that
/// page and never read, and 32 raw HTTP connections ask for the same page as JSON and never
/// read. The node's RSS must stay within <see cref="RssGrowthBound"/> of what it was before
/// the attack until every attack stream has been settled (answered or reset), and an honest
/// peer still fetches a page meanwhile. Before issue 12 every stream buffered its answer whole
/// for 20 s (256 × ~3 MB of page, protobuf and pipe).
/// </summary>
public sealed class NonReadingFetchScenario(ITestOutputHelper output)
{
    private const string CheapThreshold = "f000000000000000";
    private const byte Prefix = 0x42;
    private const int Stored = 500;
    private const int AttackPeers = 4;
    private const int StreamsPerPeer = 64;
    private const int HttpReaders = 32;

    /// <summary>
    /// The stated bound: the node may grow by at most this over its pre-attack RSS. The fetch
    /// budget is 4 MiB per peer and address (5 × 4 MiB here) plus a 256 KiB send buffer and
    /// window per stream; the rest is headroom for the GC.
    /// </summary>
    private const long RssGrowthBound = 160L * 1024 * 1024;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait(Scenario.Category, Scenario.Long)]
    public async Task Non_reading_fetch_streams_do_not_pin_memory_and_an_honest_peer_still_fetches()
    {
        string root = Directory.CreateTempSubdirectory("nnrp-nonreading-").FullName;
        var hosts = new List<Libp2pHost>();
        var sockets = new List<Socket>();
        try
        {
            await using NnrpProcess node = NnrpProcess.Start(
                "node", "--data-dir", Path.Combine(root, "node"), "--listen", "/ip4/127.0.0.1/tcp/0", "--http", "http://127.0.0.1:0",
                "--private-network", "--base-threshold", CheapThreshold, "--bootstrap-file", Path.Combine(root, "none.txt"));
            Multiaddr address = Multiaddr.Parse((await node.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
            var http = new Uri((await node.WaitForLineAsync(NnrpProcess.HttpUrl())).Groups[1].Value);

            Libp2pHost honest = await StartHostAsync(hosts);
            var client = new NnrpClient(honest);
            for (int i = 0; i < Stored; i++)
            {
                PublishResult published = await client.PublishAsync(address, Large());
                Assert.Equal(StatusCode.Ok, published.Status);
            }
            NotificationPage warm = await client.FetchAsync(address, Query(100)).WaitAsync(Limit);
            Assert.Equal(100, warm.Notifications.Count);
            long before = Rss(node.Id);

            using var sampling = new CancellationTokenSource();
            Task<long> peak = PeakRssAsync(node.Id, sampling.Token);

            // The attack: 256 fetch streams for the 1.15 MB page that never read, and 32 HTTP GETs likewise.
            var streams = new List<Libp2pStream>();
            for (int p = 0; p < AttackPeers; p++)
            {
                Libp2pHost attacker = await StartHostAsync(hosts);
                streams.AddRange(await Task.WhenAll(Enumerable.Range(0, StreamsPerPeer).Select(_ => OpenNonReadingFetchAsync(attacker, address))));
            }
            for (int i = 0; i < HttpReaders; i++)
            {
                sockets.Add(await OpenNonReadingGetAsync(http));
            }

            var latency = Stopwatch.StartNew();
            NotificationPage page = await client.FetchAsync(address, Query(100)).WaitAsync(Limit);
            latency.Stop();
            Assert.Equal(100, page.Notifications.Count);

            // Every attack stream ends on the node's side (an answer, a refusal or a reset) without being read.
            await Testnet.UntilAsync(() => Task.FromResult(streams.All(Settled)), "the node has settled every attack stream", Limit);
            sampling.Cancel();
            long peakRss = await peak;

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RSS before {before / (1024 * 1024)} MiB, peak under attack {peakRss / (1024 * 1024)} MiB (+{(peakRss - before) / (1024 * 1024)} MiB); honest fetch of 100 × 2 KB took {latency.ElapsedMilliseconds} ms"));
            Assert.True(peakRss - before < RssGrowthBound,
                $"RSS grew by {(peakRss - before) / (1024 * 1024)} MiB under {AttackPeers * StreamsPerPeer} non-reading fetch streams (bound {RssGrowthBound / (1024 * 1024)} MiB)");
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
            foreach (Libp2pHost host in hosts)
            {
                await host.DisposeAsync();
            }
            Directory.Delete(root, recursive: true);
        }
    }

    private static FetchQuery Query(int limit) =>
        FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 8, Prefix = ByteString.CopyFrom(Prefix) }, Limit = (uint)limit });

    /// <summary>A 2048-byte payload under the attacked prefix, stamped now, with cheap work.</summary>
    private static Notification Large()
    {
        byte[] tag = RandomNumberGenerator.GetBytes(32);
        tag[0] = Prefix;
        var n = new Notification(1, RecipientTag.FromBytes(tag), (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), NotificationLimits.DefaultTtl,
            RandomNumberGenerator.GetBytes(NotificationLimits.MaxPayload), 0);
        for (ulong work = 0; ; work++)
        {
            Notification candidate = n.WithWork(work);
            if (candidate.WorkValue >= 0xf000000000000000UL)
            {
                return candidate;
            }
        }
    }

    private static async Task<Libp2pHost> StartHostAsync(List<Libp2pHost> hosts)
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
        hosts.Add(host);
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    private static async Task<Libp2pStream> OpenNonReadingFetchAsync(Libp2pHost attacker, Multiaddr node)
    {
        Libp2pStream stream = await attacker.NewStreamAsync(node, [NnrpProtocol.Id], CancellationToken.None).WaitAsync(Limit);
        var request = new Request { Fetch = new FetchRequest { TagPrefix = new TagPrefix { Bits = 8, Prefix = ByteString.CopyFrom(Prefix) }, Limit = Stored } };
        await NnrpCodec.WriteAsync(stream.Output, request, NnrpProtocol.MaxRequestSize, CancellationToken.None);
        stream.CloseWrite();
        return stream;
    }

    /// <summary>A GET for the whole page as JSON on a socket with a 4 KiB receive buffer that is never read.</summary>
    private static async Task<Socket> OpenNonReadingGetAsync(Uri http)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, http.Port)).WaitAsync(Limit);
        string get = $"GET /v1/notifications?tag_prefix={Prefix:x2}&prefix_bits=8&limit={Stored} HTTP/1.1\r\nHost: {http.Authority}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(get));
        return socket;
    }

    /// <summary>
    /// True once the node has finished with the stream — FIN after its answer, or a reset —
    /// looked at without consuming a byte (so the yamux window stays shut, as for a real non-reader).
    /// </summary>
    private static bool Settled(Libp2pStream stream)
    {
        try
        {
            if (!stream.Input.TryRead(out ReadResult result))
            {
                return false;
            }
            stream.Input.AdvanceTo(result.Buffer.Start, result.Buffer.Start);
            return result.IsCompleted;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            return true;
        }
    }

    private static long Rss(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException("no VmRSS in /proc/" + pid + "/status");
    }

    private static async Task<long> PeakRssAsync(int pid, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, Rss(pid));
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return Math.Max(peak, Rss(pid));
    }
}
