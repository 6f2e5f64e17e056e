using System.Globalization;
using System.Security.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

namespace Nnrp.Cli.Tests;

/// <summary>
/// N real `nnrp node` processes on loopback joined through node 0 (issue 8): start, SIGKILL,
/// SIGTERM and restart nodes with their data, publish and look up through a client host, and
/// read each node's /metrics. Shared by the CI testnet test and `make testnet`.
/// </summary>
internal sealed class Testnet : IAsyncDisposable
{
    /// <summary>A base threshold of 1/16, so tests make work in a handful of hashes.</summary>
    public const string CheapThreshold = "f000000000000000";

    private readonly NnrpProcess?[] _nodes;
    private readonly string[] _metrics;
    private readonly Multiaddr[] _p2p;
    private readonly double _syncIntervalSeconds;
    private readonly Func<int, IEnumerable<string>> _extraArgs;
    private readonly HttpClient _web = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Libp2pHost? _client;

    /// <param name="extraArgs">More `nnrp node` arguments for node i (e.g. shard settings), after the testnet's own.</param>
    public Testnet(int size, double syncIntervalSeconds, Func<int, IEnumerable<string>>? extraArgs = null)
    {
        _extraArgs = extraArgs ?? (static _ => []);
        _nodes = new NnrpProcess?[size];
        _metrics = new string[size];
        _p2p = new Multiaddr[size];
        _syncIntervalSeconds = syncIntervalSeconds;
        Root = Directory.CreateTempSubdirectory("nnrp-testnet-").FullName;
    }

    public string Root { get; }

    public int Size => _nodes.Length;

    public bool IsRunning(int i) => _nodes[i] is not null;

    public IEnumerable<int> Running => Enumerable.Range(0, Size).Where(IsRunning);

    /// <summary>Node <paramref name="i"/>'s data folder (kept across restarts).</summary>
    public string DataDir(int i) => Path.Combine(Root, "n" + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>Node <paramref name="i"/>'s libp2p address with /p2p/ (read back from its output; the last one while it ran).</summary>
    public Multiaddr Address(int i) => _p2p[i];

    /// <summary>The status of node <paramref name="i"/> (§11.7), asked from the testnet's client host.</summary>
    public Task<Nnrp.Core.Protocol.StatusResponse> StatusAsync(int i, CancellationToken cancellationToken = default) =>
        new NnrpClient(_client!).StatusAsync(_p2p[i], cancellationToken);

    /// <summary>Starts node 0, writes the bootstrap file naming it, then the others in parallel.</summary>
    public async Task StartAllAsync()
    {
        await StartAsync(0);
        await File.WriteAllTextAsync(Path.Combine(Root, "bootstrap-peers.txt"), "# the testnet\n" + _p2p[0] + "\n");
        await Task.WhenAll(Enumerable.Range(1, Size - 1).Select(StartAsync));
        _client = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
        await _client.StartAsync(CancellationToken.None);
    }

    /// <summary>Starts (or restarts, with its data) node <paramref name="i"/> and waits until its DHT is up.</summary>
    public async Task StartAsync(int i)
    {
        string[] args =
        [
            "node", "--data-dir", DataDir(i), "--listen", "/ip4/127.0.0.1/tcp/0",
            "--http", "http://127.0.0.1:0", "--metrics", "http://127.0.0.1:0", "--private-network", "--base-threshold", CheapThreshold,
            "--sync-interval", _syncIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            "--bootstrap-file", Path.Combine(Root, i == 0 ? "none.txt" : "bootstrap-peers.txt"),
            .. _extraArgs(i),
        ];
        NnrpProcess node = NnrpProcess.Start(args);
        _nodes[i] = node;
        _p2p[i] = Multiaddr.Parse((await node.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
        _metrics[i] = (await node.WaitForLineAsync(NnrpProcess.MetricsUrl())).Groups[1].Value;
        await node.WaitForLineAsync(NnrpProcess.DhtReady());
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync(int i)
    {
        await _nodes[i]!.DisposeAsync();
        _nodes[i] = null;
    }

    /// <summary>SIGTERM and wait for a clean exit (a node leaving the network for a while).</summary>
    public async Task StopAsync(int i)
    {
        await _nodes[i]!.StopAsync();
        await _nodes[i]!.DisposeAsync();
        _nodes[i] = null;
    }

    public Task<PublishResult> PublishAsync(int i, Notification n) => new NnrpClient(_client!).PublishAsync(_p2p[i], n);

    /// <summary>True when node <paramref name="i"/> serves <paramref name="n"/> by its tag.</summary>
    public async Task<bool> HasAsync(int i, Notification n)
    {
        NotificationPage page = await new NnrpClient(_client!).FetchAsync(_p2p[i], FetchQuery.ForTag(n.RecipientTag));
        return page.Notifications.Any(x => x.Hash == n.Hash);
    }

    /// <summary>The largest value of metric <paramref name="name"/> (any labels) on node <paramref name="i"/>.</summary>
    public Task<double> MetricAsync(int i, string name) => MetricAsync(i, name, Enumerable.Max);

    /// <summary>The sum of metric <paramref name="name"/> over its labels on node <paramref name="i"/>.</summary>
    public Task<double> MetricSumAsync(int i, string name) => MetricAsync(i, name, Enumerable.Sum);

    private async Task<double> MetricAsync(int i, string name, Func<IEnumerable<double>, double> combine)
    {
        string text = await _web.GetStringAsync(_metrics[i] + "/metrics");
        return combine(PrometheusText.Values(text, name).DefaultIfEmpty(0));
    }

    /// <summary>A notification stamped now with the first work meeting <see cref="CheapThreshold"/> (to a random tag unless given).</summary>
    public static Notification Cheap(RecipientTag? tag = null)
    {
        var n = new Notification(1, tag ?? RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32)), (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            NotificationLimits.DefaultTtl, RandomNumberGenerator.GetBytes(120), 0);
        for (ulong work = 0; ; work++)
        {
            Notification candidate = n.WithWork(work);
            if (candidate.WorkValue >= 0xf000000000000000UL)
            {
                return candidate;
            }
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true; a <see cref="TimeoutException"/> after <paramref name="limit"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (!await condition())
        {
            try
            {
                await Task.Delay(200, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        foreach (NnrpProcess? node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        _web.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
