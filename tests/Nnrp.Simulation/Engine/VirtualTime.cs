namespace Nnrp.Simulation.Engine;

/// <summary>The event queue's clock as a <see cref="TimeProvider"/>, for the production state machines that read time (Kad's stale-peer rule).</summary>
internal sealed class VirtualTime(EventQueue queue) : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => At(queue.Now);

    /// <summary>The wall-clock time of virtual instant <paramref name="us"/> (microseconds).</summary>
    public static DateTimeOffset At(long us) => Epoch.AddTicks(us * 10);
}
