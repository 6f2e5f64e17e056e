namespace Nnrp.Simulation.Engine;

/// <summary>
/// The discrete-event scheduler: actions ordered by virtual time (microseconds), ties by the
/// order they were scheduled, so a run is a pure function of its seed. Nothing waits on real time.
/// </summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _queue = new();
    private long _sequence;

    /// <summary>Virtual time now, in microseconds since the simulation began.</summary>
    public long Now { get; private set; }

    public int Pending => _queue.Count;

    public void At(long time, Action action) => _queue.Enqueue(action, (Math.Max(time, Now), _sequence++));

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <summary>Runs every event due up to <paramref name="end"/>; the clock then reads <paramref name="end"/>.</summary>
    public void RunUntil(long end)
    {
        while (_queue.TryPeek(out _, out var due) && due.Time <= end)
        {
            Action action = _queue.Dequeue();
            Now = due.Time;
            action();
        }
        Now = Math.Max(Now, end);
    }

    /// <summary>Runs until nothing is scheduled.</summary>
    public void RunAll()
    {
        while (_queue.TryDequeue(out Action? action, out var due))
        {
            Now = due.Time;
            action();
        }
    }
}
