using Nnrp.Core.Keys;

namespace Nnrp.Node.Ingress;

/// <summary>
/// n of NNRP.md §6.3: how many notifications the node took for a tag within the sliding
/// window (an hour by default). Counts saturate at <see cref="_maxTracked"/>, the n at which
/// the escalation already reaches its cap, so a flood costs bounded memory.
/// </summary>
internal sealed class TagWindowCounter(TimeSpan window, int maxTracked)
{
    private readonly long _window = (long)window.TotalSeconds;
    private readonly int _maxTracked = Math.Max(1, maxTracked);
    private readonly Dictionary<RecipientTag, Queue<long>> _tags = [];
    private readonly object _lock = new();

    public int Count(RecipientTag tag, long now)
    {
        lock (_lock)
        {
            if (!_tags.TryGetValue(tag, out Queue<long>? times))
            {
                return 0;
            }
            Trim(times, now);
            return times.Count;
        }
    }

    public void Record(RecipientTag tag, long now)
    {
        lock (_lock)
        {
            if (!_tags.TryGetValue(tag, out Queue<long>? times))
            {
                _tags[tag] = times = new Queue<long>();
            }
            Trim(times, now);
            if (times.Count >= _maxTracked)
            {
                times.Dequeue();
            }
            times.Enqueue(now);
        }
    }

    /// <summary>Forgets tags with nothing in the window.</summary>
    public void Prune(long now)
    {
        lock (_lock)
        {
            foreach ((RecipientTag tag, Queue<long> times) in _tags.ToArray())
            {
                Trim(times, now);
                if (times.Count == 0)
                {
                    _tags.Remove(tag);
                }
            }
        }
    }

    private void Trim(Queue<long> times, long now)
    {
        while (times.Count > 0 && times.Peek() <= now - _window)
        {
            times.Dequeue();
        }
    }
}
