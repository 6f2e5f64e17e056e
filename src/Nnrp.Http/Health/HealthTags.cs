namespace Nnrp.Http.Health;

/// <summary>
/// Which probe a health check answers. Liveness: restart the node if it fails (the process or
/// its store is broken). Readiness: send it traffic only when it passes (the store is open and
/// the DHT has bootstrapped). A check may carry both tags.
/// </summary>
public static class HealthTags
{
    public const string Live = "live";

    public const string Ready = "ready";
}
