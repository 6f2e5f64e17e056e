using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Nnrp.Benchmarks.Libp2p;

/// <summary>
/// What the gossipsub harness prints about its measured phase with <c>GOSSIP_CS_ONLY=1</c> (C#
/// network only): thread-pool queue, lock contention and work items every 100 ms, GC counts,
/// pause and bytes allocated, process CPU against wall time, latency per tenth of the stream;
/// with <c>GOSSIP_ALLOC=1</c> also bytes allocated by type and ArrayPool misses.
/// </summary>
internal sealed class GossipSubDiagnostics : IAsyncDisposable
{
    private readonly GossipSubAllocationSampler? _allocations;
    private readonly Func<int> _delivered;
    private readonly TimeSpan _cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _allocated0 = GC.GetTotalAllocatedBytes();
    private readonly int[] _collections0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly TimeSpan _pause0 = GC.GetTotalPauseDuration();
    private readonly long _contention0 = Monitor.LockContentionCount;
    private readonly long _workItems0 = ThreadPool.CompletedWorkItemCount;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _samples = [];
    private readonly Task _sampler;

    public GossipSubDiagnostics(Func<int> delivered)
    {
        _delivered = delivered;
        if (Environment.GetEnvironmentVariable("GOSSIP_ALLOC") == "1")
        {
            _allocations = new GossipSubAllocationSampler { Enabled = true };
        }
        _sampler = Task.Factory.StartNew(Sample, TaskCreationOptions.LongRunning);
    }

    public static bool Enabled => Environment.GetEnvironmentVariable("GOSSIP_CS_ONLY") == "1";

    public async Task ReportAsync(int messages, IReadOnlyDictionary<int, ConcurrentBag<double>> byMessage)
    {
        await StopAsync();
        _samples.ForEach(Console.WriteLine);
        Console.WriteLine($"allocated {(GC.GetTotalAllocatedBytes() - _allocated0) / 1e6:F0} MB, GCs {GC.CollectionCount(0) - _collections0[0]}/{GC.CollectionCount(1) - _collections0[1]}/{GC.CollectionCount(2) - _collections0[2]}, pause {(GC.GetTotalPauseDuration() - _pause0).TotalMilliseconds:F0} ms, deliveries {_delivered()}");
        foreach (var (type, count) in _allocations?.Top(400).Where(static kv => kv.Key.StartsWith("ArrayPool", StringComparison.Ordinal)) ?? [])
        {
            Console.WriteLine($"  {count,8} x  {type}");
        }
        foreach (var (type, bytes) in _allocations?.Top(25) ?? [])
        {
            Console.WriteLine($"  {bytes / 1e6,8:F1} MB  {type}");
        }
        Console.WriteLine($"publish+deliver wall {_wall.ElapsedMilliseconds} ms, cpu {(Process.GetCurrentProcess().TotalProcessorTime - _cpu0).TotalMilliseconds:F0} ms");
        int tenth = Math.Max(1, messages / 10);
        for (int first = 0; first < messages; first += tenth)
        {
            List<double> slice = Enumerable.Range(first, Math.Min(tenth, messages - first)).SelectMany(i => byMessage.TryGetValue(i, out var l) ? l : []).Order().ToList();
            Console.WriteLine($"messages {first}..: p50 {At(slice, 0.5):F1} p99 {At(slice, 0.99):F1} max {slice.LastOrDefault():F1}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _allocations?.Dispose();
        _stop.Dispose();
    }

    private async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
    }

    private void Sample()
    {
        while (!_stop.IsCancellationRequested)
        {
            _samples.Add($"{_wall.ElapsedMilliseconds,5} ms threads {ThreadPool.ThreadCount,3} pending {ThreadPool.PendingWorkItemCount,5} contention {Monitor.LockContentionCount - _contention0,6} items {ThreadPool.CompletedWorkItemCount - _workItems0,8} delivered {_delivered(),6}");
            Thread.Sleep(100);
        }
    }

    private static double At(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}

/// <summary>Diagnostics for the gossipsub harness: the runtime's AllocationTick events (one per ~100 KB allocated), summed by type.</summary>
internal sealed class GossipSubAllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static bool t_inside;

    public bool Enabled { get; set; }

    public IEnumerable<KeyValuePair<string, long>> Top(int count) => _bytes.OrderByDescending(static kv => kv.Value).Take(count);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
        if (eventSource.Name == "System.Buffers.ArrayPoolEventSource")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (t_inside)
        {
            return;
        }
        if (Enabled && eventData.EventName is "BufferAllocated" or "BufferTrimmed" or "BufferDropped" && eventData.Payload is not null)
        {
            t_inside = true;
            string key = $"ArrayPool {eventData.EventName} size {eventData.Payload[eventData.PayloadNames!.IndexOf("bufferSize")]} {(eventData.PayloadNames.Contains("reason") ? eventData.Payload[eventData.PayloadNames.IndexOf("reason")] : "")}";
            _bytes.AddOrUpdate(key, 1, static (_, v) => v + 1);
            t_inside = false;
            return;
        }
        if (!Enabled || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }
        int nameIndex = eventData.PayloadNames!.IndexOf("TypeName");
        string type = nameIndex >= 0 ? eventData.Payload[nameIndex] as string ?? "?" : "?";
        int sizeIndex = eventData.PayloadNames!.IndexOf("ObjectSize");
        if (sizeIndex >= 0 && type == "System.Byte[]")
        {
            type += " of " + eventData.Payload[sizeIndex];
        }
        _bytes.AddOrUpdate(type, 100_000, static (_, v) => v + 100_000);
    }
}
