using Nnrp.Core.Notifications;
using Nnrp.Node.Protocol;
using Xunit.Abstractions;
using Nnrp.Protocol.Requests;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Issue 8 item 5, the CI testnet: five `nnrp node` processes, a few hundred notifications
/// published through random nodes, one node killed with SIGKILL and restarted, and a partition
/// (two nodes stopped while the rest take traffic, then started again). Nothing accepted may be
/// lost and every node must converge on the same set — the nodes that were away catch up by
/// sync (NNRP.md §11.8), since gossip only reaches nodes that are up.
/// </summary>
public sealed class SyncTestnetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Nodes = 5;
    private const int PerPhase = 100;
    private static readonly TimeSpan ConvergenceLimit = TimeSpan.FromSeconds(60);

    private readonly Testnet _net = new(Nodes, syncIntervalSeconds: 2);
    private readonly List<Notification> _accepted = [];

    public Task InitializeAsync() => _net.StartAllAsync();

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task Nothing_accepted_is_lost_across_a_kill_and_a_partition_and_every_node_converges()
    {
        await PublishAsync();                       // everyone up

        await _net.KillAsync(3);                    // kill -9 …
        await PublishAsync();
        await _net.StartAsync(3);                   // … and back with its data

        await _net.StopAsync(1);                    // partition: 1 and 2 away, 0, 3, 4 take traffic
        await _net.StopAsync(2);
        await PublishAsync();
        await Task.WhenAll(_net.StartAsync(1), _net.StartAsync(2));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (int i in Enumerable.Range(0, Nodes))
        {
            await Testnet.UntilAsync(async () => await _net.MetricAsync(i, "nnrp_store_notifications") >= _accepted.Count,
                $"node {i} holds all {_accepted.Count} accepted notifications", ConvergenceLimit);
        }
        output.WriteLine($"{_accepted.Count} accepted; all {Nodes} nodes converged {clock.ElapsedMilliseconds} ms after healing");

        // Lost = accepted somewhere but not retrievable from a random node after healing.
        var random = new Random(8);
        int lost = 0;
        foreach (Notification n in _accepted)
        {
            lost += await _net.HasAsync(random.Next(Nodes), n) ? 0 : 1;
        }
        Assert.Equal(0, lost);
        foreach (int i in Enumerable.Range(0, Nodes))
        {
            Assert.Equal(_accepted.Count, await _net.MetricAsync(i, "nnrp_store_notifications"));
        }
        double pulled = 0;
        foreach (int i in new[] { 1, 2, 3 })
        {
            pulled += await _net.MetricAsync(i, "nnrp_sync_items_pulled_total");
        }
        output.WriteLine($"pulled by sync on the nodes that were away: {pulled}");
        Assert.True(pulled > 0, "the nodes that were away caught up by sync");
    }

    private async Task PublishAsync()
    {
        int[] up = _net.Running.ToArray();
        var random = new Random();
        for (int k = 0; k < PerPhase; k++)
        {
            Notification n = Testnet.Cheap();
            PublishResult result = await _net.PublishAsync(up[random.Next(up.Length)], n);
            Assert.True(result.IsStored, result.Message);
            _accepted.Add(n);
        }
    }
}
