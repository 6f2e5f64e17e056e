using Microsoft.Extensions.Logging;

namespace Nnrp.Node.Protocol;

/// <summary>/nnrp/1.0 events, ids 1100–1149.</summary>
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Debug, "/nnrp/1.0 from {PeerId}: bad request: {Reason}")]
    public static partial void BadRequest(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1101, LogLevel.Debug, "/nnrp/1.0 from {PeerId}: timed out")]
    public static partial void TimedOut(this ILogger logger, string peerId);

    [LoggerMessage(1102, LogLevel.Debug, "/nnrp/1.0 from {PeerId}: rate limited")]
    public static partial void RateLimited(this ILogger logger, string peerId);

    [LoggerMessage(1103, LogLevel.Debug, "/nnrp/1.0 from {PeerId}: stream failed: {Reason}")]
    public static partial void StreamFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1104, LogLevel.Error, "/nnrp/1.0: store failed while serving {PeerId}: {Reason}")]
    public static partial void StoreFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1105, LogLevel.Debug, "/nnrp/1.0 from {PeerId}: write stalled, stream reset: {Reason}")]
    public static partial void WriteStalled(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1106, LogLevel.Debug, "/nnrp/1.0 from {PeerId}: fetch budget spent, OVER_CAPACITY")]
    public static partial void FetchBudgetSpent(this ILogger logger, string peerId);
}
