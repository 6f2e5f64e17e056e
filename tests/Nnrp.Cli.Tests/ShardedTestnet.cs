using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nnrp.Client;
using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Network;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using StatusResponse = Nnrp.Core.Protocol.StatusResponse;
using Nnrp.Core.Sealing;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Shards;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Issue 15, "Loopback testnet (real processes)": <see cref="ShardedTestnetOptions.Nodes"/>
/// `nnrp node` processes with `--shards auto` and a store budget sized so that the depth planner
/// (NNRP.md §8.2) splits them into the two shards of depth 1 while notifications arrive. Every
/// notification is published and read through the wallet SDK's own path (§8.4: DHT providers,
/// status verification, publish to 3 with verified receipts, fetch). Checked, twice (after the
/// first phase, and after 3 nodes of one shard were killed with SIGKILL, more was published, and
/// they were restarted on their data): every notification is returned by ≥ 3 verified holders of
/// its shard, asked one by one; no node's <c>stored_bytes</c> ever exceeds its budget; and at the
/// end a wallet restored from its seed alone (`nnrp key from-seed` + `nnrp fetch` processes)
/// fetches all of its notifications. Shared by the CI test and <c>make testnet-shards</c>.
/// </summary>
internal sealed class ShardedTestnet : IAsyncDisposable
{
    /// <summary>The depth the budgets are sized for: 2 shards, Nodes / 2 holders each.</summary>
    public const int Depth = 1;

    /// <summary>NNRP.md §8.4 / §11.8.6: copies every notification must have, each read back from its holder.</summary>
    public const int MinHolders = 3;

    /// <summary>
    /// Budget = 0.85 × the bytes of all notifications. §8.2 deepens when V̂ / 2^b &gt; 3/4 budget:
    /// at depth 0 once ~64 % are published (before the kill at 80 %); at depth 1 the half held
    /// (≈ 50 %, a median of reports within ±27 % of it) stays under 3/4 of it, so nobody goes to
    /// depth 2, and V̂ never falls under 1/4 of it, so nobody goes back to depth 0.
    /// </summary>
    public const double BudgetShare = 0.85;

    private const ulong CheapWork = 0xf000000000000000UL;

    /// <summary>
    /// Sends per wallet client (a fresh libp2p identity each): 2 000 notifications come from many
    /// senders. One client sending flat out makes several Kad lookups a send, and nodes answer
    /// one peer at most 20 Kad requests a second (burst 60, KadOptions), so a single sender at
    /// the harness's pace found its lookups refused and fewer holders than exist.
    /// </summary>
    private const int SendsPerClient = 10;

    /// <summary>Holder searches per client in a check (each walks every depth, as it wants all 12 holders).</summary>
    private const int SearchesPerClient = 3;

    /// <summary>Fixed-length event fields, so that every notification has the same size (±2 bytes of work varint).</summary>
    private const string Amount = "1000000000000000000000000000000";

    private readonly ShardedTestnetOptions _options;
    private readonly Action<string> _log;
    private readonly List<Recipient> _recipients = [];
    private readonly List<string> _seeds = [];
    private readonly ConcurrentBag<Published> _published = [];
    private readonly long[] _peakBytes;
    private readonly List<string> _failures = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ShardedTestnet(ShardedTestnetOptions options, Action<string> log)
    {
        _options = options;
        _log = log;
        NotificationSize = NotificationProtobuf.Encode(Seal(WalletKeys.Generate(), 0)).Length + 2;
        Budget = (long)(BudgetShare * options.Notifications * NotificationSize);
        Net = new Testnet(options.Nodes, options.SyncIntervalSeconds, NodeArgs);
        _peakBytes = new long[options.Nodes];
        for (int s = 0; s < options.Seeds; s++)
        {
            _seeds.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("nnrp-shardnet/seed/" + s.ToString(CultureInfo.InvariantCulture)))));
        }
        for (int t = 0; t < options.Tags; t++)
        {
            _recipients.Add(Recipient.FromUri(KeyOf(t).ToUri()));
        }
    }

    public Testnet Net { get; }

    /// <summary>Bytes of one encoded notification (the store counts these, NNRP.md §11.7 stored_bytes).</summary>
    public int NotificationSize { get; }

    /// <summary>Each node's <c>--store-max-bytes</c>.</summary>
    public long Budget { get; }

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>What a run found, for the report (filled as the phases go).</summary>
    public ShardedTestnetFigures Figures { get; } = new();

    /// <summary>Called with node 0's address while the killed nodes are down and at the end (make testnet-shards crawls then).</summary>
    public Func<string, string, Task>? Observe { get; init; }

    /// <summary>The half of the tag space (the depth-1 shard) node <paramref name="i"/>'s key is placed in: nodes 0, 1, 4, 5, … hold 1/0.</summary>
    public static uint HalfOf(int i) => (uint)(i % 4) >> 1;

    /// <summary>The whole scenario; failures are collected in <see cref="Failures"/> (the run goes on, so the report is complete).</summary>
    public async Task RunAsync()
    {
        WriteNodeKeys();
        _log($"starting {_options.Nodes} nodes (budget {Budget} bytes each = {BudgetShare} × {_options.Notifications} × {NotificationSize} B) in {Net.Root}");
        await Net.StartAllAsync();
        Figures.StartSeconds = _clock.Elapsed.TotalSeconds;
        _log($"all up after {Figures.StartSeconds:F1} s");
        using var stopWatching = new CancellationTokenSource();
        Task watching = WatchAsync(stopWatching.Token);

        int first = (int)(_options.Notifications * _options.BeforeKill);
        Figures.Phase1Seconds = await PublishAsync(0, first, "phase 1, all up");
        Figures.Settle1Seconds = await SettleAsync("after phase 1");
        Figures.Check1 = await CheckAsync("after phase 1");

        int[] victims = Victims();
        _log($"kill -9 nodes {string.Join(", ", victims)} (all of shard {Depth}/{HalfOf(victims[0])})");
        foreach (int v in victims)
        {
            await Net.KillAsync(v);
        }
        Figures.Killed = victims;
        Figures.Phase2Seconds = await PublishAsync(first, _options.Notifications - first, $"phase 2, {victims.Length} nodes of one shard down");
        if (Observe is not null)
        {
            await Observe("while the killed nodes are down", Net.Address(0).ToString());
        }
        var restart = Stopwatch.StartNew();
        await Task.WhenAll(victims.Select(Net.StartAsync));
        _log($"restarted {victims.Length} nodes on their data in {restart.Elapsed.TotalSeconds:F1} s");
        Figures.Settle2Seconds = await SettleAsync("after the restart");
        Figures.Check2 = await CheckAsync("after the restart");
        Figures.Restored = await RestoreWalletAsync();
        await stopWatching.CancelAsync();
        await watching;
        await RecordNodesAsync();
        if (Observe is not null)
        {
            await Observe("at the end", Net.Address(0).ToString());
        }
        Figures.WallSeconds = _clock.Elapsed.TotalSeconds;
    }

    private IEnumerable<string> NodeArgs(int i) =>
    [
        "--shards", "auto", "--store-max-bytes", Budget.ToString(CultureInfo.InvariantCulture),
        "--shard-first-evaluation", "2", "--shard-evaluate-interval", "2", "--shard-min-move-interval", "10",
    ];

    /// <summary>
    /// §8.1 places a node's home shard by SHA-256 of its peer id; keys are drawn until node i's
    /// home at depth 2 is i mod 4, so each depth-1 shard gets Nodes / 2 holders whatever the
    /// draw (the identity file is what `nnrp node` would have created, mode 0600 in a 0700 folder).
    /// </summary>
    private void WriteNodeKeys()
    {
        for (int i = 0; i < _options.Nodes; i++)
        {
            KeyPair key;
            do
            {
                key = KeyPair.Generate();
            }
            while (ShardId.Home(key.PeerId.Bytes.Span, 2).Index != (uint)(i % 4));
            var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Net.DataDir(i));
            }
            else
            {
                Directory.CreateDirectory(Net.DataDir(i), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(Path.Combine(Net.DataDir(i), "node.key"), file))
            {
                stream.Write(key.ToPrivateKeyProtobuf());
            }
            key.Dispose();
        }
    }

    /// <summary>Killed nodes: the first of the shard that node 0 (the bootstrap peer) is not in.</summary>
    private int[] Victims() =>
        [.. Enumerable.Range(1, _options.Nodes - 1).Where(i => HalfOf(i) != HalfOf(0)).Take(_options.Killed)];

    private NotificationKeyPair KeyOf(int tag) => WalletKeys.FromSeed(_seeds[tag / _options.IndexesPerSeed], (uint)(tag % _options.IndexesPerSeed));

    private static Notification Seal(NotificationKeyPair key, int n) =>
        PaymentNotifications.Seal(Recipient.FromUri(key.ToUri()), Event(n), DateTimeOffset.UtcNow);

    private static PaymentEvent Event(int n) =>
        new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), Amount,
            "shardnet " + n.ToString("D6", CultureInfo.InvariantCulture));

    private WalletClientOptions ClientOptions(IReadOnlyList<string>? nodes = null) =>
        nodes is null ? new() { BootstrapPeers = [Net.Address(0).ToString()] } : new() { Nodes = nodes };

    /// <summary>Notifications <paramref name="from"/> … from + count − 1 (tag = n mod Tags), by <see cref="ShardedTestnetOptions.Publishers"/> wallet clients at once.</summary>
    private async Task<double> PublishAsync(int from, int count, string phase)
    {
        var clock = Stopwatch.StartNew();
        int next = from - 1;
        int partial = 0;
        var send = new SendOptions { InitialThreshold = CheapWork };
        await Task.WhenAll(Enumerable.Range(0, _options.Publishers).Select(async _ =>
        {
            WalletClient client = await WalletClient.ConnectAsync(ClientOptions());
            int sentByClient = 0;
            for (int n = Interlocked.Increment(ref next); n < from + count; n = Interlocked.Increment(ref next))
            {
                if (++sentByClient > SendsPerClient)
                {
                    await client.DisposeAsync();
                    client = await WalletClient.ConnectAsync(ClientOptions());
                    sentByClient = 1;
                }
                int tag = n % _options.Tags;
                if ((n - from) % 200 == 199)
                {
                    _log($"{phase}: {n - from + 1} of {count} sent ({clock.Elapsed.TotalSeconds:F0} s)");
                }
                SendResult sent;
                try
                {
                    sent = await client.SendAsync(_recipients[tag], Event(n), send);
                }
                catch (NnrpClientException ex)
                {
                    Interlocked.Increment(ref partial);
                    Fail($"{phase}: notification {n} not published: {ex.Message}");
                    continue;
                }
                if (sent.Receipts.Count > 0)
                {
                    _published.Add(new Published(sent.Notification, tag, sent.Receipts.Count));
                }
                if (!sent.MetTarget)
                {
                    Interlocked.Increment(ref partial);
                    Fail($"{phase}: notification {n} has {sent.Receipts.Count} receipts of {sent.Target} ({sent.HoldersFound} holders found; {string.Join("; ", sent.Failures.Select(f => f.Reason))})");
                }
            }
            await client.DisposeAsync();
        }));
        _log($"{phase}: published {count} through the wallet SDK in {clock.Elapsed.TotalSeconds:F1} s ({partial} with fewer than 3 receipts)");
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Waits until every running node holds exactly its home shard at <see cref="Depth"/> (no
    /// move or repair in progress) and stores every accepted notification of it, watching
    /// stored_bytes against the budget on every poll.
    /// </summary>
    private async Task<double> SettleAsync(string phase)
    {
        var clock = Stopwatch.StartNew();
        string lagging = "";
        try
        {
            await Testnet.UntilAsync(async () =>
            {
                var behind = new List<string>();
                foreach (int i in Net.Running)
                {
                    StatusResponse status = await Net.StatusAsync(i);
                    Watch(i, status);
                    uint half = HalfOf(i);
                    long expected = _published.Count(p => p.Notification.RecipientTag.ShardIndex(Depth) == half);
                    string shards = ShardsOf(status);
                    if (shards != $"{Depth}/{half}" || (long)status.Stored < expected)
                    {
                        behind.Add($"node {i}: shards {shards}, {status.Stored}/{expected} stored");
                    }
                }
                lagging = string.Join("; ", behind);
                return behind.Count == 0;
            }, "every node holds its shard", _options.SettleLimit);
            _log($"{phase}: every node at depth {Depth} holding all of its shard after {clock.Elapsed.TotalSeconds:F1} s");
        }
        catch (TimeoutException)
        {
            Fail($"{phase}: not settled after {_options.SettleLimit.TotalSeconds:F0} s: {lagging}");
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// For every tag: the wallet SDK's holder search (§8.4, a fresh client) names the verified
    /// holders; each is read alone (a client naming that node) and each accepted notification
    /// must come back from at least <see cref="MinHolders"/> of them.
    /// </summary>
    private async Task<CheckFigures> CheckAsync(string phase)
    {
        var clock = Stopwatch.StartNew();
        Published[] all = [.. _published];
        var byTag = all.GroupBy(p => p.Tag).ToDictionary(g => g.Key, g => g.ToArray());
        var readers = new ConcurrentDictionary<string, Task<WalletClient>>();
        var copies = new ConcurrentDictionary<NotificationHash, int>();
        var holdersPerTag = new ConcurrentBag<int>();
        var fetch = new FetchOptions { Nodes = 1, MinNodes = 1, MinimumWork = CheapWork };
        int next = -1;
        int[] tags = [.. byTag.Keys];
        {
            await Task.WhenAll(Enumerable.Range(0, _options.Publishers).Select(async _ =>
            {
                WalletClient finder = await WalletClient.ConnectAsync(ClientOptions());
                int searched = 0;
                for (int k = Interlocked.Increment(ref next); k < tags.Length; k = Interlocked.Increment(ref next))
                {
                    if (++searched > SearchesPerClient)
                    {
                        await finder.DisposeAsync();
                        finder = await WalletClient.ConnectAsync(ClientOptions());
                        searched = 1;
                    }
                    NotificationKeyPair key = KeyOf(tags[k]);
                    HolderSearchResult found = await finder.FindHoldersAsync(key.Tag, wanted: _options.Nodes);
                    NodeAddress[] verified = [.. found.Holders.Where(h => h.Verified).Select(h => h.Node)];
                    holdersPerTag.Add(verified.Length);
                    foreach (NodeAddress node in verified)
                    {
                        WalletClient reader = await readers.GetOrAdd(node.ToString(), a => WalletClient.ConnectAsync(ClientOptions([a])));
                        FetchResult got = await reader.FetchAsync(key, fetch);
                        if (!got.MetTarget)
                        {
                            Fail($"{phase}: verified holder {node} did not answer the fetch of tag {tags[k]} ({got.Nodes[0].Error})");
                            continue;
                        }
                        foreach (OpenedNotification item in got.Contents.Opened)
                        {
                            copies.AddOrUpdate(item.Hash, 1, (_, c) => c + 1);
                        }
                    }
                }
                await finder.DisposeAsync();
            }));
        }
        foreach (Task<WalletClient> reader in readers.Values)
        {
            await (await reader).DisposeAsync();
        }
        int[] counts = [.. all.Select(p => copies.GetValueOrDefault(p.Notification.Hash))];
        Published[] short3 = [.. all.Where(p => copies.GetValueOrDefault(p.Notification.Hash) < MinHolders)];
        foreach (Published p in short3.Take(10))
        {
            Fail($"{phase}: {p.Notification.Hash} (tag {p.Tag}) came back from {copies.GetValueOrDefault(p.Notification.Hash)} holders");
        }
        if (short3.Length > 10)
        {
            Fail($"{phase}: … {short3.Length} notifications in all came back from fewer than {MinHolders} holders");
        }
        foreach (int i in Net.Running)
        {
            Watch(i, await Net.StatusAsync(i));
        }
        var figures = new CheckFigures(all.Length, short3.Length, counts.DefaultIfEmpty(0).Min(), counts.DefaultIfEmpty(0).Average(),
            holdersPerTag.DefaultIfEmpty(0).Min(), holdersPerTag.DefaultIfEmpty(0).Max(), clock.Elapsed.TotalSeconds);
        _log($"{phase}: {all.Length} notifications of {tags.Length} tags read from every verified holder: each came back from {figures.MinCopies}…{counts.DefaultIfEmpty(0).Max()} holders (mean {figures.MeanCopies:F2}); {figures.Short} from fewer than {MinHolders}; {figures.Seconds:F1} s");
        return figures;
    }

    /// <summary>The wallet of seed 0, restored from the seed alone: `nnrp key from-seed` for each index, then `nnrp fetch` through the DHT.</summary>
    private async Task<int> RestoreWalletAsync()
    {
        string folder = Path.Combine(Net.Root, "restored-wallet");
        Directory.CreateDirectory(folder);
        var wanted = _published.Where(p => p.Tag < _options.IndexesPerSeed).Select(p => p.Notification.Hash.ToString()).ToHashSet();
        var found = new HashSet<string>();
        for (int index = 0; index < _options.IndexesPerSeed && index < _options.Tags; index++)
        {
            string keyFile = Path.Combine(folder, $"key{index}.json");
            await using (NnrpProcess derive = NnrpProcess.Start("key", "from-seed", "--seed", _seeds[0], "--index", index.ToString(CultureInfo.InvariantCulture), "--out", keyFile))
            {
                if (await derive.WaitForExitAsync() != 0)
                {
                    Fail($"nnrp key from-seed failed: {derive.Output}");
                    continue;
                }
            }
            await using NnrpProcess fetch = NnrpProcess.Start("fetch", "--key", keyFile, "--bootstrap", Net.Address(0).ToString(),
                "--base-threshold", Testnet.CheapThreshold, "--json", "--no-checkpoint");
            int code = await fetch.WaitForExitAsync();
            if (code != 0 || fetch.Output.Contains("warning:", StringComparison.Ordinal))
            {
                Fail($"nnrp fetch of restored key {index} exited {code}: {fetch.Output}");
            }
            foreach (string line in fetch.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using JsonDocument item = JsonDocument.Parse(line);
                if (!item.RootElement.TryGetProperty("rejected", out _))
                {
                    found.Add(item.RootElement.GetProperty("hash").GetString()!);
                }
            }
        }
        int got = wanted.Count(found.Contains);
        _log($"wallet restored from its seed ({_options.IndexesPerSeed} keys): fetched {got} of its {wanted.Count} notifications");
        if (got != wanted.Count)
        {
            Fail($"the restored wallet fetched {got} of its {wanted.Count} notifications");
        }
        Figures.RestoredWanted = wanted.Count;
        return got;
    }

    private async Task RecordNodesAsync()
    {
        foreach (int i in Enumerable.Range(0, _options.Nodes))
        {
            StatusResponse status = await Net.StatusAsync(i);
            Watch(i, status);
            Figures.Nodes.Add(new NodeFigures(i, Net.Address(i).ToString()[(Net.Address(i).ToString().LastIndexOf('/') + 1)..], ShardsOf(status),
                (long)status.Stored, (long)status.StoredBytes, _peakBytes[i], Budget, Figures.Killed.Contains(i)));
        }
    }

    /// <summary>
    /// Asks every running node for its status once a second for the whole run: the peak
    /// stored_bytes (<see cref="Watch"/>) and when each node first held a shard at
    /// <see cref="Depth"/> (as a count of notifications accepted by then).
    /// </summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var deepened = new Dictionary<int, int>();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (int i in Net.Running.ToArray())
            {
                try
                {
                    using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    limit.CancelAfter(TimeSpan.FromSeconds(5));
                    StatusResponse status = await Net.StatusAsync(i, limit.Token);
                    Watch(i, status);
                    if (!deepened.ContainsKey(i) && status.Shards.Count > 0 && status.Shards.All(s => s.Bits == Depth))
                    {
                        deepened[i] = _published.Count;
                        _log($"node {i} holds {ShardsOf(status)} after {deepened[i]} accepted notifications ({_clock.Elapsed.TotalSeconds:F0} s)");
                    }
                }
                catch (Exception ex) when (ex is IOException or TimeoutException or OperationCanceledException or InvalidOperationException or Nnrp.Core.NnrpException)
                {
                    // A node being killed or restarted, or the run ending: the next round asks again.
                }
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        Figures.DeepenedAfter = deepened.Count == 0 ? "-" : $"{deepened.Values.Min()}…{deepened.Values.Max()}";
    }

    /// <summary>Keeps the largest stored_bytes seen per node; above the budget is a failure.</summary>
    private void Watch(int i, StatusResponse status)
    {
        long bytes = (long)status.StoredBytes;
        if (bytes > Interlocked.Read(ref _peakBytes[i]))
        {
            Interlocked.Exchange(ref _peakBytes[i], bytes);
        }
        if (bytes > Budget)
        {
            Fail($"node {i} stores {bytes} bytes, over its budget of {Budget}");
        }
    }

    private static string ShardsOf(StatusResponse status) => string.Join(",", status.Shards.Select(s => $"{s.Bits}/{s.Index}"));

    private void Fail(string failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
        _log("FAIL " + failure);
    }

    public ValueTask DisposeAsync() => Net.DisposeAsync();

    private sealed record Published(Notification Notification, int Tag, int Receipts);
}
