using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nnrp.Node.Storage;

namespace Nnrp.Http.Health;

/// <summary>Healthy while the store answers a statistics read; a closed or failed store is unhealthy.</summary>
public sealed class StoreHealthCheck : IHealthCheck
{
    /// <summary>The registration name, and the key in the JSON answer.</summary>
    public const string Name = "store";

    /// <summary>What the answer says when the store does not answer; the reason stays in the node's log.</summary>
    public const string Unavailable = "the store is unavailable";

    private readonly INotificationStore _store;

    public StoreHealthCheck(INotificationStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>The check as a liveness and readiness registration.</summary>
    public static HealthCheckRegistration Registration(INotificationStore store) =>
        new(Name, new StoreHealthCheck(store), HealthStatus.Unhealthy, [HealthTags.Live, HealthTags.Ready]);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = _store.Statistics;
        }
        catch (Exception ex) when (ex is StoreUnavailableException or ObjectDisposedException)
        {
            // The store logs its own failures; the answer carries no exception text.
            return Task.FromResult(HealthCheckResult.Unhealthy(Unavailable));
        }
        return Task.FromResult(HealthCheckResult.Healthy());
    }
}
