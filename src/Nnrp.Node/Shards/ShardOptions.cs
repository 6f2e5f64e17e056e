namespace Nnrp.Node.Shards;

/// <summary>NNRP.md §8: which shards a node holds and how often it reconsiders (defaults: §8.2's).</summary>
public sealed record ShardOptions
{
    /// <summary>§8.1: auto (default), full or a fixed list.</summary>
    public ShardSetting Setting { get; init; } = ShardSetting.Auto;

    public TimeSpan FirstEvaluation { get; init; } = DepthPlanner.FirstEvaluation;

    public TimeSpan EvaluateInterval { get; init; } = DepthPlanner.EvaluateInterval;

    public TimeSpan MinMoveInterval { get; init; } = DepthPlanner.MinMoveInterval;

    /// <summary>§8.2: connected peers asked for status at each evaluation.</summary>
    public int StatusPeers { get; init; } = 16;

    /// <summary>§8.5: a node going shallower provides the parent after this long without a peer to catch up from.</summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>§8.5: notifications of a left shard deleted per write.</summary>
    public int DropBatch { get; init; } = 4096;
}
