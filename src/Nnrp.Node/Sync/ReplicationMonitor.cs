using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Nnrp.Node.Sync;

/// <summary>
/// §11.8.6: a notification is safe once ≥ 3 nodes store it. The node counts the providers of
/// its shard in the DHT (itself included) at most every few minutes; while the count is below
/// the safe number it offers what peers lack, not only pulls. Only verified providers count
/// (§14.2: they answered a status request lately; the node passes
/// <see cref="Providers.ProviderVerifier.CountVerifiedAsync"/>), so records of peers that hold
/// nothing cannot make the node stop offering.
/// </summary>
public sealed class ReplicationMonitor(
    Func<CancellationToken, Task<int>>? countProviders, SyncOptions options, SyncMetrics metrics, TimeProvider time, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private int _checking;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    /// <summary>True while this node should offer (push) what peers lack. Without a DHT it always offers.</summary>
    public async Task<bool> ShouldOfferAsync(CancellationToken cancellationToken)
    {
        if (countProviders is null)
        {
            return true;
        }
        if (time.GetUtcNow() - _checkedAt < options.ProviderCheckInterval || Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return metrics.Offering;
        }
        try
        {
            int providers = await countProviders(cancellationToken);
            metrics.LastProviderCount = providers;
            metrics.Offering = providers < options.SafeProviders;
            _checkedAt = time.GetUtcNow();
            _logger.ProvidersChecked(providers, metrics.Offering);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // No answer is no proof of safety: keep offering.
            _logger.ProviderCheckFailed(ex.Message);
            metrics.Offering = true;
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
        return metrics.Offering;
    }
}
