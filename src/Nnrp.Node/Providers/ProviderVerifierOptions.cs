namespace Nnrp.Node.Providers;

/// <summary>How the node verifies DHT providers (NNRP.md §14.2 "Verification"); defaults are the spec's.</summary>
public sealed record ProviderVerifierOptions
{
    /// <summary>§14.2: a status answer counts as verification for 1 h; a later record of the peer is verified again.</summary>
    public TimeSpan VerifiedFor { get; init; } = TimeSpan.FromHours(1);

    /// <summary>§14.2: a provider that did not answer is not asked again for 10 min (no dial per ADD_PROVIDER).</summary>
    public TimeSpan FailedFor { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>§14.2: one status request (dial included) gets 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>§14.2: at most 4 status requests at once, so records cannot turn the node into a dialer.</summary>
    public int MaxConcurrent { get; init; } = 4;

    /// <summary>§14.2: at most 256 providers wait for verification; records beyond are stored unverified.</summary>
    public int MaxQueued { get; init; } = 256;

    /// <summary>§14.2: verification results kept (verified and failed); the oldest go first.</summary>
    public int CacheCapacity { get; init; } = 4096;
}
