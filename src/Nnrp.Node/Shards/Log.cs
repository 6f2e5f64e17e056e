using Microsoft.Extensions.Logging;

namespace Nnrp.Node.Shards;

/// <summary>Shard responsibility (NNRP.md §8), ids 1700–1719.</summary>
internal static partial class Log
{
    [LoggerMessage(1700, LogLevel.Information, "Holding shards {Shards} ({State})")]
    public static partial void HoldingShards(this ILogger logger, string shards, string state);

    [LoggerMessage(1701, LogLevel.Information, "Stopped providing shard {Shard}")]
    public static partial void StoppedProvidingShard(this ILogger logger, string shard);

    [LoggerMessage(1702, LogLevel.Information, "Depth evaluated: {Reports} reports, volume estimate {Estimate} bytes, depth {Depth} → {Target}")]
    public static partial void DepthEvaluated(this ILogger logger, int reports, ulong estimate, int depth, int target);

    [LoggerMessage(1703, LogLevel.Information, "Left shard {Shard}: {Dropped} notifications deleted")]
    public static partial void DroppedShard(this ILogger logger, string shard, int dropped);

    [LoggerMessage(1705, LogLevel.Information, "Took up shard {Shard} for repair: {Holders} verified providers")]
    public static partial void TookUpShard(this ILogger logger, string shard, int holders);

    [LoggerMessage(1704, LogLevel.Warning, "Shard step failed: {Reason}")]
    public static partial void ShardStepFailed(this ILogger logger, string reason);
}
