namespace Nnrp.Libp2p.GossipSub.Cache;

/// <summary>
/// pubsub/README.md "Message Identification": ids seen within <c>seen_ttl</c> are duplicates.
/// Entries expire in insertion order (a queue beside the set), so pruning is O(expired).
/// </summary>
internal sealed class SeenCache
{
    private readonly Dictionary<MessageId, DateTimeOffset> _expiry = [];
    private readonly Queue<(MessageId Id, DateTimeOffset Expires)> _order = new();
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;

    public SeenCache(TimeSpan ttl, TimeProvider time)
    {
        _ttl = ttl;
        _time = time;
    }

    public int Count => _expiry.Count;

    /// <summary>Records <paramref name="id"/>; false when it was already seen and not expired.</summary>
    public bool Add(MessageId id)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Prune(now);
        if (_expiry.ContainsKey(id))
        {
            return false;
        }
        DateTimeOffset expires = now + _ttl;
        _expiry[id] = expires;
        _order.Enqueue((id, expires));
        return true;
    }

    public bool Contains(MessageId id) => _expiry.TryGetValue(id, out DateTimeOffset expires) && expires > _time.GetUtcNow();

    public void Prune() => Prune(_time.GetUtcNow());

    private void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var head) && head.Expires <= now)
        {
            _order.Dequeue();
            _expiry.Remove(head.Id);
        }
    }
}
