using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nnrp.Http.Health;

/// <summary>
/// Ready once the DHT has bootstrapped: it has started and its routing table holds a peer, or
/// no bootstrap peer is configured (the first node of a network has nobody to find). A node
/// that is not ready still serves what it stores; it only cannot yet find or be found.
/// </summary>
public sealed class DhtReadinessCheck : IHealthCheck
{
    /// <summary>The registration name, and the key in the JSON answer.</summary>
    public const string Name = "dht";

    private readonly Func<DhtReadiness> _probe;

    public DhtReadinessCheck(Func<DhtReadiness> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
    }

    /// <summary>The check as a readiness registration.</summary>
    public static HealthCheckRegistration Registration(Func<DhtReadiness> probe) =>
        new(Name, new DhtReadinessCheck(probe), HealthStatus.Unhealthy, [HealthTags.Ready]);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        DhtReadiness dht = _probe();
        HealthCheckResult result = !dht.Started
            ? HealthCheckResult.Unhealthy("the DHT has not bootstrapped yet")
            : dht.RoutingTablePeers > 0 || dht.BootstrapPeers == 0
                ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"{dht.RoutingTablePeers} peers in the routing table"))
                : HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture, $"routing table empty although {dht.BootstrapPeers} bootstrap peers are configured"));
        return Task.FromResult(result);
    }
}
