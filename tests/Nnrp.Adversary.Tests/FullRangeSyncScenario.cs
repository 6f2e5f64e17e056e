using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Nnrp.Cli.Tests;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Xunit.Abstractions;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 7 (NNRP.md §11.8.7): against a real `nnrp node` holding tens of thousands of
/// notifications, attackers send full-range sync requests in a loop on several streams. Each
/// request must cost the node at most its scan budget — the answer covers at most that many
/// stored items and leaves the rest open (§11.8.4) — and an honest peer's fetches and its whole
/// sync session are still served meanwhile.
/// </summary>
public sealed class FullRangeSyncScenario(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Items in the node's store (set NNRP_SCENARIO_ITEMS to measure other sizes).</summary>
    private static readonly int Items = int.TryParse(Environment.GetEnvironmentVariable("NNRP_SCENARIO_ITEMS"), out int n) ? n : 24_000;

    private const int Attackers = 4;
    private const int StreamsPerAttacker = 2;
    private const int HonestFetches = 20;

    /// <summary>§11.8.7 reference scan budget, and one boundary entry per request range on top.</summary>
    private const int ScanBudget = 16_384;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("nnrp-fullrange-").FullName;
    private readonly List<Notification> _stored = [];
    private NnrpProcess? _node;
    private Multiaddr? _address;
    private string? _metrics;
    private string _setup = "";

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        // Filled before start, straight into the node's store: that many publishes would take longer.
        // Unsynced writes: the store is closed cleanly before the node opens it.
        using (RocksDbNotificationStore store = RocksDbNotificationStore.Open(Path.Combine(_dir, "store"), new StoreOptions { SyncWrites = false }))
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            for (int i = 0; i < Items; i++)
            {
                _stored.Add(new Notification(1, RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32)),
                    (ulong)(now - Random.Shared.Next(0, 3600)), NotificationLimits.DefaultTtl, RandomNumberGenerator.GetBytes(120), 0));
            }
            foreach (Notification[] batch in _stored.Chunk(2000))
            {
                store.Put(batch);
            }
        }
        long filled = clock.ElapsedMilliseconds;
        _node = NnrpProcess.Start("node", "--data-dir", _dir, "--listen", "/ip4/127.0.0.1/tcp/0", "--metrics", "http://127.0.0.1:0",
            "--private-network", "--base-threshold", Testnet.CheapThreshold, "--bootstrap-file", Path.Combine(_dir, "none.txt"));
        _address = Multiaddr.Parse((await _node.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
        _metrics = (await _node.WaitForLineAsync(NnrpProcess.MetricsUrl())).Groups[1].Value;
        _setup = string.Create(CultureInfo.InvariantCulture, $"setup: store filled in {filled} ms, node up after {clock.ElapsedMilliseconds} ms");
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Full_range_sync_requests_cost_at_most_the_scan_budget_and_an_honest_peer_is_still_served()
    {
        List<TimeKey> keys = _stored.Select(n => new TimeKey(n.Timestamp, n.Hash)).Order().ToList();
        var hosts = new List<Libp2pHost>();
        try
        {
            for (int i = 0; i <= Attackers; i++)
            {
                var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
                await host.StartAsync(CancellationToken.None);
                await host.DialAsync(_address!, CancellationToken.None).WaitAsync(Limit);
                hosts.Add(host);
            }
            Libp2pHost honest = hosts[^1];

            // The same fetches without an attack, to read the figures below against this machine's load.
            var client = new NnrpClient(honest, TimeSpan.FromSeconds(30));
            List<double> quiet = await FetchSomeAsync(client);

            using var stopAttack = new CancellationTokenSource();
            var attack = new AttackLog();
            Task[] attackers = hosts.Take(Attackers)
                .SelectMany(h => Enumerable.Range(0, StreamsPerAttacker).Select(_ => Task.Run(() => AttackAsync(h, keys, attack, stopAttack.Token))))
                .ToArray();
            // The honest peer starts once the attack is under way.
            await Until(() => attack.Sent >= Attackers * StreamsPerAttacker, "the attack is under way");

            List<double> fetches = await FetchSomeAsync(client);
            (List<double> rounds, SyncSession session) = await HonestSyncAsync(honest, keys);
            await Until(() => attack.Served >= Attackers, "attack requests are served too");
            await stopAttack.CancelAsync();
            await Task.WhenAll(attackers);

            double maxScanned = await MetricAsync("nnrp_sync_max_scanned_per_request");
            double scanned = await MetricAsync("nnrp_sync_entries_scanned_total");
            double served = await MetricAsync("nnrp_sync_requests_served_total");
            output.WriteLine(_setup);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"store {Items} items; attack {Attackers} peers x {StreamsPerAttacker} streams: {attack.Sent} requests ({attack.BytesSent} B sent, {attack.BytesReceived} B received), " +
                $"{attack.Served} answered OK, {attack.Refused} refused (rate/capacity)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"attack request time ms: p50 {Percentile(attack.OkMilliseconds, 50):F1} p95 {Percentile(attack.OkMilliseconds, 95):F1} max {Percentile(attack.OkMilliseconds, 100):F1}; " +
                $"items covered per answer: max {attack.MostCovered}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"node: {served} sync requests served, {scanned} index entries scanned, max per request {maxScanned}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"honest fetch ms: before the attack p50 {Percentile(quiet, 50):F1} max {Percentile(quiet, 100):F1}, " +
                $"during it p50 {Percentile(fetches, 50):F1} max {Percentile(fetches, 100):F1}; honest sync: {rounds.Count} rounds, " +
                $"round ms p50 {Percentile(rounds, 50):F1} max {Percentile(rounds, 100):F1}, complete={session.IsComplete}"));

            // What each full-range request cost the node: at most its scan budget.
            Assert.True(attack.Served > 0);
            Assert.True(attack.MostCovered <= ScanBudget, $"an answer covered {attack.MostCovered} stored items in one request");
            Assert.Equal(0, attack.Unbudgeted);
            Assert.InRange(maxScanned, 1, ScanBudget + SyncLimits.MaxRequestRanges);
            // What the honest peer still gets.
            Assert.True(session.IsComplete, "the honest peer's sync session completes during the attack");
            Assert.Empty(session.Need);
            Assert.True(Percentile(fetches, 100) < 5_000, "honest fetches are answered within 5 s");
        }
        finally
        {
            foreach (Libp2pHost host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The honest peer fetches random stored notifications by tag; returns each fetch's milliseconds.</summary>
    private async Task<List<double>> FetchSomeAsync(NnrpClient client)
    {
        var milliseconds = new List<double>();
        foreach (Notification wanted in _stored.OrderBy(_ => Random.Shared.Next()).Take(HonestFetches))
        {
            var clock = Stopwatch.StartNew();
            NotificationPage page = await client.FetchAsync(_address!, FetchQuery.ForTag(wanted.RecipientTag)).WaitAsync(Limit);
            milliseconds.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Contains(page.Notifications, x => x.Hash == wanted.Hash);
        }
        return milliseconds;
    }

    /// <summary>One attacker stream loop: full-range reconcile requests back to back, each on a fresh stream.</summary>
    private async Task AttackAsync(Libp2pHost host, List<TimeKey> keys, AttackLog log, CancellationToken stop)
    {
        var everything = new Core.Protocol.SyncRange
        {
            Lower = SyncBounds.ToProto(SyncBounds.Lowest),
            Upper = SyncBounds.ToProto(SyncBounds.Infinity),
            Fingerprint = Google.Protobuf.ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
        };
        var request = new Request { Sync = new SyncRequest { Reconcile = new SyncReconcile { Ranges = { everything } } } };
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            Response response;
            try
            {
                Libp2pStream stream = await host.NewStreamAsync(_address!, [NnrpProtocol.Id], stop);
                await using (stream)
                {
                    response = await NnrpClient.ExchangeAsync(stream, request, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            log.Record(request.CalculateSize(), response, clock.Elapsed.TotalMilliseconds, keys);
        }
    }

    /// <summary>The honest peer holds the same items and runs a whole session, honouring retry hints as the node's SyncService does.</summary>
    private async Task<(List<double> Rounds, SyncSession Session)> HonestSyncAsync(Libp2pHost host, List<TimeKey> keys)
    {
        var session = new SyncSession(new MemorySyncSet(keys));
        var rounds = new List<double>();
        while (session.NextRequest() is { } ranges)
        {
            var request = new Request { Sync = new SyncRequest { Reconcile = new SyncReconcile() } };
            request.Sync.Reconcile.Ranges.Add(ranges.Select(SyncWire.ToProto));
            var clock = Stopwatch.StartNew();
            Response response = await ExchangeWithRetriesAsync(host, request);
            rounds.Add(clock.Elapsed.TotalMilliseconds);
            if (response.Status != StatusCode.Ok)
            {
                break;                // refused even after its retries: the session stays incomplete
            }
            session.Apply((int)response.Sync.Answered,
                SyncWire.FromProto(response.Sync.Ranges, SyncLimits.MaxResponseRanges, SyncLimits.ResponderIdListMax, SyncLimits.MaxResponseIds));
        }
        return (rounds, session);
    }

    private async Task<Response> ExchangeWithRetriesAsync(Libp2pHost host, Request request)
    {
        for (int attempt = 0; ; attempt++)
        {
            Libp2pStream stream = await host.NewStreamAsync(_address!, [NnrpProtocol.Id], CancellationToken.None).WaitAsync(Limit);
            Response response;
            await using (stream)
            {
                response = await NnrpClient.ExchangeAsync(stream, request, CancellationToken.None).WaitAsync(Limit);
            }
            if (response.Status is not (StatusCode.RateLimited or StatusCode.OverCapacity) || attempt == 5)
            {
                return response;
            }
            // The node's own hint (§11.4), as an initiator must honour it (§11.8.7).
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(response.RetryAfterSeconds, 1, 5)));
        }
    }

    private async Task<double> MetricAsync(string name)
    {
        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string text = await web.GetStringAsync(_metrics + "/metrics");
        return PrometheusText.Values(text, name).DefaultIfEmpty(0).Max();
    }

    private static Task Until(Func<bool> condition, string what) =>
        Testnet.UntilAsync(() => Task.FromResult(condition()), what, Limit);

    private static double Percentile(List<double> values, int p)
    {
        lock (values)
        {
            if (values.Count == 0)
            {
                return 0;
            }
            List<double> sorted = [.. values.Order()];
            int rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
        }
    }

    /// <summary>What the attackers sent and what each answer reveals about the node's work.</summary>
    private sealed class AttackLog
    {
        private long _sent;
        private long _served;
        private long _refused;
        private long _unbudgeted;
        private long _bytesSent;
        private long _bytesReceived;
        private long _mostCovered;

        public List<double> OkMilliseconds { get; } = [];

        public long Sent => Interlocked.Read(ref _sent);

        public long Served => Interlocked.Read(ref _served);

        public long Refused => Interlocked.Read(ref _refused);

        /// <summary>Answers that settled the whole range at once: the node read everything for them.</summary>
        public long Unbudgeted => Interlocked.Read(ref _unbudgeted);

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public long BytesReceived => Interlocked.Read(ref _bytesReceived);

        /// <summary>The most stored items below an answer's open range (what one request made the node read).</summary>
        public long MostCovered => Interlocked.Read(ref _mostCovered);

        public void Record(int requestBytes, Response response, double milliseconds, List<TimeKey> keys)
        {
            Interlocked.Increment(ref _sent);
            Interlocked.Add(ref _bytesSent, requestBytes);
            Interlocked.Add(ref _bytesReceived, response.CalculateSize());
            if (response.Status != StatusCode.Ok)
            {
                Interlocked.Increment(ref _refused);
                return;
            }
            Interlocked.Increment(ref _served);
            lock (OkMilliseconds)
            {
                OkMilliseconds.Add(milliseconds);
            }
            Core.Protocol.SyncRange? last = response.Sync.Ranges.LastOrDefault();
            if (last is null || !last.Open)
            {
                Interlocked.Increment(ref _unbudgeted);
                return;
            }
            TimeKey cut = SyncBounds.FromProto(last.Lower);
            int covered = keys.BinarySearch(cut);
            covered = covered < 0 ? ~covered : covered;
            long most;
            while (covered > (most = Interlocked.Read(ref _mostCovered)) && Interlocked.CompareExchange(ref _mostCovered, covered, most) != most)
            {
            }
        }
    }
}
