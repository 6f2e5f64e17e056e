using System.Diagnostics;
using System.Globalization;
using Nnrp.Cli.Tests;
using Nnrp.Core.Notifications;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

// make testnet [N=20] [PUBLISH=600] (issue 8 item 4): N nodes on loopback from one bootstrap
// peer, publish load through random nodes in three phases — all up; half of the network
// partitioned away (stopped); one node killed with SIGKILL and restarted — then heal and
// report what the promise "accepted anywhere, retrievable everywhere" looks like.
// make testnet-shards [NOTIFICATIONS=2000] (issue 15): the sharded scenario instead (ShardedTestnet).
if (args.Length > 0 && args[0] == "shards")
{
    return await ShardedRun.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000);
}
int size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
int publish = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 600;
double syncInterval = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 5;
var convergenceLimit = TimeSpan.FromMinutes(5);

await using var net = new Testnet(size, syncInterval);
var total = Stopwatch.StartNew();
Console.WriteLine($"starting {size} nodes (sync every {syncInterval} s) in {net.Root}");
await net.StartAllAsync();
Console.WriteLine($"all up after {total.Elapsed.TotalSeconds:F1} s");

var accepted = new List<Notification>();
int refused = 0;
var random = new Random();

async Task PhaseAsync(string name, int count)
{
    int[] up = net.Running.ToArray();
    var clock = Stopwatch.StartNew();
    for (int k = 0; k < count; k++)
    {
        Notification n = Testnet.Cheap();
        try
        {
            PublishResult r = await net.PublishAsync(up[random.Next(up.Length)], n);
            if (r.IsStored)
            {
                accepted.Add(n);
            }
            else
            {
                refused++;
            }
        }
        catch (IOException)
        {
            refused++;
        }
    }
    Console.WriteLine($"{name}: published {count} through {up.Length} nodes in {clock.Elapsed.TotalSeconds:F1} s");
}

int third = publish / 3;
await PhaseAsync("phase 1, all up", third);

int[] away = Enumerable.Range(size / 2, size - (size / 2)).ToArray();
Console.WriteLine($"partition: stopping nodes {away[0]}..{away[^1]}");
await Task.WhenAll(away.Select(net.StopAsync));
await PhaseAsync("phase 2, half the network away", third);
var heal = Stopwatch.StartNew();
await Task.WhenAll(away.Select(net.StartAsync));
Console.WriteLine($"partition healed: {away.Length} nodes restarted in {heal.Elapsed.TotalSeconds:F1} s");

int victim = 1;
Console.WriteLine($"kill -9 node {victim}");
await net.KillAsync(victim);
await PhaseAsync("phase 3, one node killed", publish - (2 * third));
await net.StartAsync(victim);

var converge = Stopwatch.StartNew();
foreach (int i in Enumerable.Range(0, size))
{
    await Testnet.UntilAsync(async () => await net.MetricAsync(i, "nnrp_store_notifications") >= accepted.Count,
        $"node {i} holds all {accepted.Count}", convergenceLimit);
}
TimeSpan convergence = converge.Elapsed;

int lost = 0;
int storedOnThree = 0;
foreach (Notification n in accepted)
{
    int holders = 0;
    foreach (int i in Enumerable.Range(0, size).OrderBy(_ => random.Next()).Take(3))
    {
        holders += await net.HasAsync(i, n) ? 1 : 0;
    }
    storedOnThree += holders == 3 ? 1 : 0;
    lost += await net.HasAsync(random.Next(size), n) ? 0 : 1;
}
double syncBytes = 0, pulled = 0, rounds = 0;
foreach (int i in Enumerable.Range(0, size))
{
    syncBytes += await net.MetricSumAsync(i, "nnrp_sync_bytes_total");
    pulled += await net.MetricAsync(i, "nnrp_sync_items_pulled_total");
    rounds += await net.MetricAsync(i, "nnrp_sync_rounds_total");
}

Console.WriteLine();
Console.WriteLine("| figure | value |");
Console.WriteLine("|---|---|");
Console.WriteLine($"| nodes | {size} |");
Console.WriteLine($"| published / accepted / refused | {publish} / {accepted.Count} / {refused} |");
Console.WriteLine($"| stored on ≥ 3 (3 random nodes asked) | {storedOnThree} |");
Console.WriteLine($"| retrievable from a random node after healing | {accepted.Count - lost} |");
Console.WriteLine($"| lost | {lost} |");
Console.WriteLine($"| convergence after the last restart | {convergence.TotalSeconds:F1} s |");
Console.WriteLine($"| sync: rounds / items pulled / bytes (all nodes) | {rounds} / {pulled} / {syncBytes / 1024:F0} KiB |");
Console.WriteLine($"| wall clock | {total.Elapsed.TotalSeconds:F0} s |");
return lost == 0 ? 0 : 1;
