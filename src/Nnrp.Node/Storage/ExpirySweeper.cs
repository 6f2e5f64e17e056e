using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Nnrp.Node.Storage;

/// <summary>
/// Deletes expired notifications and their index entries (NNRP.md §5: a node keeps a
/// notification until timestamp + ttl) every <see cref="Interval"/>, in bounded batches so a
/// sweep never holds the store's writer for long. Queries already hide expired items, so a
/// late sweep costs disk, not correctness.
/// </summary>
public sealed class ExpirySweeper : IAsyncDisposable
{
    /// <summary>Deletions per WriteBatch.</summary>
    public const int BatchSize = 1000;

    private readonly INotificationStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public ExpirySweeper(INotificationStore store, TimeSpan interval, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _store = store;
        Interval = interval;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public TimeSpan Interval { get; }

    /// <summary>Runs after every sweep (the ingress prunes its per-tag windows here).</summary>
    public event EventHandler? Swept;

    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>Deletes everything expired now; returns how many.</summary>
    public int SweepNow()
    {
        ulong now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
        int total = 0;
        int swept;
        do
        {
            swept = _store.SweepExpired(now, BatchSize);
            total += swept;
        }
        while (swept == BatchSize);
        if (total > 0)
        {
            _logger.Swept(total);
        }
        Swept?.Invoke(this, EventArgs.Empty);
        return total;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    SweepNow();
                }
                catch (StoreUnavailableException ex)
                {
                    _logger.SweepFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
