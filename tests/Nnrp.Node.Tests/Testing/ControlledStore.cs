using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Tests.Testing;

/// <summary>Wraps a real store so a test can hold the ingress writer inside Put, or make Put fail.</summary>
public sealed class ControlledStore(INotificationStore inner) : INotificationStore
{
    private readonly ManualResetEventSlim _open = new(true);
    private readonly SemaphoreSlim _entered = new(0);

    public bool Fail { get; set; }

    /// <summary>The next Put waits until <see cref="Release"/>.</summary>
    public void Hold() => _open.Reset();

    public void Release() => _open.Set();

    /// <summary>Completes when a Put has started (and is held, if held).</summary>
    public Task EnteredPutAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    public IReadOnlyList<StoreOutcome> Put(IReadOnlyList<Notification> notifications)
    {
        _entered.Release();
        _open.Wait(TimeSpan.FromSeconds(60));
        if (Fail)
        {
            throw new StoreUnavailableException("simulated: No space left on device");
        }
        return inner.Put(notifications);
    }

    public bool Contains(NotificationHash hash) => inner.Contains(hash);

    public Notification? Get(NotificationHash hash) => inner.Get(hash);

    public NotificationPage Fetch(FetchQuery query, ulong now) => inner.Fetch(query, now);

    public int SweepExpired(ulong now, int maxItems) => inner.SweepExpired(now, maxItems);

    public StoreStatistics Statistics => inner.Statistics;

    public StoreFloor? Floor => inner.Floor;

    public ulong? LowestValueOf(Nnrp.Core.Keys.RecipientTag tag) => inner.LowestValueOf(tag);

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
        _entered.Dispose();
    }
}
