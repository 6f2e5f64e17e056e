using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Scoring;

internal enum DeliveryStatus
{
    Unknown,
    Valid,
    Invalid,
    Ignored,
}

/// <summary>What scoring remembers of one message: its validation outcome and who delivered it.</summary>
internal sealed class DeliveryRecord
{
    public DeliveryStatus Status { get; set; }

    public DateTimeOffset Validated { get; set; }

    public HashSet<PeerId> Peers { get; } = [];
}

/// <summary>Delivery records kept as long as the seen cache remembers the id (duplicates after that are new messages).</summary>
internal sealed class DeliveryRecords(TimeProvider time, TimeSpan ttl)
{
    private readonly Dictionary<MessageId, DeliveryRecord> _records = [];
    private readonly Queue<(MessageId Id, DateTimeOffset Expires)> _order = new();

    public DeliveryRecord GetOrCreate(MessageId id)
    {
        if (!_records.TryGetValue(id, out DeliveryRecord? record))
        {
            _records[id] = record = new DeliveryRecord();
            _order.Enqueue((id, time.GetUtcNow() + ttl));
        }
        return record;
    }

    public void Prune()
    {
        DateTimeOffset now = time.GetUtcNow();
        while (_order.TryPeek(out var head) && head.Expires <= now)
        {
            _order.Dequeue();
            _records.Remove(head.Id);
        }
    }
}
