using System.Collections.Concurrent;

namespace Nnrp.Libp2p.Host;

/// <summary>
/// Tasks a service started on its own (connection loops, hole punches) and waits for when it
/// stops; each leaves the set as it ends, so a long-running service holds only live ones.
/// </summary>
internal sealed class BackgroundTasks
{
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();

    public void Track(Task task)
    {
        _tasks[task] = 0;
        _ = task.ContinueWith(
            static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _),
            _tasks,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Completes when every task tracked so far has ended.</summary>
    public Task WhenAll() => Task.WhenAll(_tasks.Keys);
}
