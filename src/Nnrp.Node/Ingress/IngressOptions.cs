using Nnrp.Core.Work;

namespace Nnrp.Node.Ingress;

/// <summary>Knobs of the ingress gate.</summary>
public sealed record IngressOptions
{
    /// <summary>Base threshold and escalation (NNRP.md §6.3). Tests and local networks lower <see cref="WorkPolicy.BaseThreshold"/>.</summary>
    public WorkPolicy Policy { get; init; } = new();

    /// <summary>
    /// Notifications checked and waiting for the store. Its fill is the utilisation u of
    /// NNRP.md §6.3; when full, the lowest work value waiting is shed first.
    /// </summary>
    public int QueueCapacity { get; init; } = 8192;

    /// <summary>Most notifications one WriteBatch (one WAL sync) carries.</summary>
    public int MaxGroup { get; init; } = 2048;
}
