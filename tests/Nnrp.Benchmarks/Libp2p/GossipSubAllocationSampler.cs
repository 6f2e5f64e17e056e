using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Nnrp.Benchmarks.Libp2p;

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
