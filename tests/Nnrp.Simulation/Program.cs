using System.Globalization;
using Nnrp.Simulation;
using Nnrp.Simulation.Report;

// `make simulate`: the issue 15 sweep. Usage:
//   Nnrp.Simulation [--sizes 100,300,1000,3000,10000] [--seed 1] [--hours 1] [--out docs/scale] [--modes sharded,full] [--offline-silent] [--gossip model|real] [--sync model|real] [--sync-window HOURS]
//   Nnrp.Simulation --calibrate [--sizes 50,200,400] [--seed 1] [--out docs/scale]   (gossip model vs the real GossipRouter)
int[] sizes = [100, 300, 1000, 3000, 10000];
int seed = 1;
double hours = 1;
string output = "docs/scale";
bool[] modes = [true, false];
bool calibrate = false;
bool offlineSilent = false;
var gossip = Nnrp.Simulation.Gossip.GossipMode.Model;
var sync = Nnrp.Simulation.Sync.SyncMode.Model;
TimeSpan? syncWindow = null;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] == "--calibrate")
        {
            calibrate = true;
            sizes = args.Contains("--sizes") ? sizes : [50, 200, 400];
            continue;
        }
        if (args[i] == "--offline-silent")
        {
            offlineSilent = true; // requests to offline nodes time out instead of being refused
            continue;
        }
        string value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--sizes":
                sizes = [.. value.Split(',').Select(s => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture))];
                break;
            case "--seed":
                seed = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                break;
            case "--hours":
                hours = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
                break;
            case "--gossip":
                gossip = value switch
                {
                    "model" => Nnrp.Simulation.Gossip.GossipMode.Model,
                    "real" => Nnrp.Simulation.Gossip.GossipMode.Real, // the production GossipRouter on every node
                    _ => throw new FormatException($"gossip '{value}' is neither model nor real"),
                };
                break;
            case "--sync":
                sync = value switch
                {
                    "model" => Nnrp.Simulation.Sync.SyncMode.Model,
                    "real" => Nnrp.Simulation.Sync.SyncMode.Real, // SyncSession, SyncResponder, SessionLedger on every node
                    _ => throw new FormatException($"sync '{value}' is neither model nor real"),
                };
                break;
            case "--sync-window":
                syncWindow = TimeSpan.FromHours(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
                break;
            case "--out":
                output = value;
                break;
            case "--modes":
                modes = [.. value.Split(',').Select(m => m switch
                {
                    "sharded" => true,
                    "full" => false,
                    _ => throw new FormatException($"mode '{m}' is neither sharded nor full"),
                })];
                break;
            default:
                throw new FormatException($"unknown option {args[i]}");
        }
        i++;
    }
    if (sizes.Length == 0 || sizes.Any(static s => s < 10) || hours <= 0 || hours > 24)
    {
        throw new FormatException("sizes must be ≥ 10 and hours in (0, 24]");
    }
    if (syncWindow is { } w && (w <= TimeSpan.Zero || w > TimeSpan.FromDays(90)))
    {
        throw new FormatException("--sync-window must be in (0, 2160] hours");
    }
    if (sync == Nnrp.Simulation.Sync.SyncMode.Real && gossip != Nnrp.Simulation.Gossip.GossipMode.Real)
    {
        // Real sessions reconcile what each node stores; only the real routers track that item by item.
        throw new FormatException("--sync real needs --gossip real");
    }
}
catch (Exception e) when (e is FormatException or OverflowException)
{
    Console.Error.WriteLine("simulate: " + e.Message);
    return 2;
}

Directory.CreateDirectory(output);
if (calibrate)
{
    var table = new System.Text.StringBuilder();
    table.AppendLine("| nodes | topic peers | notifications | gossip bytes/node/notification: real router · model (model/real) | delivered: real · model |");
    table.AppendLine("|---:|---:|---:|---|---|");
    foreach (int n in sizes)
    {
        var c = Nnrp.Simulation.Gossip.GossipCalibration.Run(n, messages: 200, seed);
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {c.Nodes} | {c.TopicPeers} | {c.Messages} | {ResultTable.Bytes(c.RealBytesPerNodePerMessage)} · {ResultTable.Bytes(c.ModelBytesPerNodePerMessage)} ({c.ModelBytesPerNodePerMessage / c.RealBytesPerNodePerMessage:0.00}) | {c.RealDelivered:P2} · {c.ModelDelivered:P2} |"));
        Console.Write(table.ToString().Split('\n')[^2] + "\n");
    }
    File.WriteAllText(Path.Combine(output, "gossip-calibration.md"), table.ToString());
    return 0;
}
var runs = new List<RunResult>();
foreach (int n in sizes)
{
    foreach (bool sharded in modes)
    {
        var settings = new SimulationSettings { Nodes = n, Sharded = sharded, Seed = seed, Duration = TimeSpan.FromHours(hours), OfflineSilent = offlineSilent, Gossip = gossip, Sync = sync, SyncRecentWindow = syncWindow };
        RunResult result = Simulation.Run(settings);
        runs.Add(result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"N={n} {ResultTable.Mode(result)}: stored/node {ResultTable.Bytes(result.StoredBytes.Mean)}, gossip/node/h {ResultTable.Bytes(result.GossipBytesPerHour.Mean)}, publish p50 {result.PublishLatencyMs.P50:0} ms, hops {result.LookupHops.Mean:0.00}, fetch {result.FetchFound:P2}, holders reached by gossip {result.HolderDelivery:P3}, {result.WallSeconds:0} s, peak RSS {PeakRssGigabytes():0.00} GB"));
        if (result.RouterSent is { } sent)
        {
            double perNode = n * hours;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sent/node/h: messages {ResultTable.Bytes(sent.Messages / perNode)}, IHAVE {ResultTable.Bytes(sent.IHave / perNode)}, IWANT {ResultTable.Bytes(sent.IWant / perNode)}, IDONTWANT {ResultTable.Bytes(sent.IDontWant / perNode)}, GRAFT/PRUNE {ResultTable.Bytes(sent.GraftPrune / perNode)}, subscriptions {ResultTable.Bytes(sent.Subscriptions / perNode)}, framing {ResultTable.Bytes(sent.Framing / perNode)}; copies outside their topic {result.MessagesOutsideTopics}"));
        }
        if (result.SyncReal is { } s)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sync: {s.Sessions} sessions ({s.WholeSessions} whole; {s.PeriodicSessions} periodic of {s.PeriodicRounds} rounds; {s.Rounds} rounds, {s.HistoryRounds} on history, {s.Incomplete} incomplete, {s.Failed} failed), {s.StatusRequests} status requests, pulled {s.Pulled}, offered {s.Offered}; returns that missed something {s.CatchUpsStarted}, caught up {s.CatchUpsDone} (p50 {s.CatchUpSeconds.P50:0.0} s, p99 {s.CatchUpSeconds.P99:0.0} s, max {s.CatchUpSeconds.Max:0.0} s); still missing {s.StillMissing} ({s.StillMissingAvailable} held by an online node); sync/node/h {ResultTable.Bytes(result.SyncBytesPerHourMean)}"));
        }
        File.WriteAllText(Path.Combine(output, "simulation.csv"), ResultTable.Csv(runs));
        File.WriteAllText(Path.Combine(output, "simulation.md"), ResultTable.Markdown(runs));
    }
}
Plots.Write(runs, output);
Console.WriteLine($"wrote {output}/simulation.csv, simulation.md and the plots");
return 0;

// The process's peak resident set so far (Linux VmHWM): what a size needs of the machine.
static double PeakRssGigabytes()
{
    using var process = System.Diagnostics.Process.GetCurrentProcess();
    return process.PeakWorkingSet64 / 1e9;
}
