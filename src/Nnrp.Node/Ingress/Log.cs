using Nnrp.Node.Decisions;
using Microsoft.Extensions.Logging;

namespace Nnrp.Node.Ingress;

/// <summary>ingress events, ids 1050–1099.</summary>
internal static partial class Log
{
    [LoggerMessage(1050, LogLevel.Debug, "Refused {Hash}: {Status} ({Reason})")]
    public static partial void Refused(this ILogger logger, string hash, DecisionStatus status, string reason);

    [LoggerMessage(1051, LogLevel.Warning, "Ingress queue full ({Capacity}): shedding work value {Value:x16}")]
    public static partial void Shed(this ILogger logger, int capacity, ulong value);

    [LoggerMessage(1052, LogLevel.Error, "Store refused a group of {Count}: {Reason}")]
    public static partial void GroupFailed(this ILogger logger, int count, string reason);

    [LoggerMessage(1053, LogLevel.Warning, "An accepted-notification listener threw")]
    public static partial void ListenerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1054, LogLevel.Trace, "Committed a group of {Count} ({Stored} stored)")]
    public static partial void GroupCommitted(this ILogger logger, int count, int stored);
}
