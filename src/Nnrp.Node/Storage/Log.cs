using Microsoft.Extensions.Logging;

namespace Nnrp.Node.Storage;

/// <summary>store events, ids 1000–1049.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Store opened at {Path}: {Count} notifications, {Bytes} bytes")]
    public static partial void StoreOpened(this ILogger logger, string path, long count, long bytes);

    [LoggerMessage(1001, LogLevel.Information, "Store at {Path} closed")]
    public static partial void StoreClosed(this ILogger logger, string path);

    [LoggerMessage(1002, LogLevel.Error, "Store operation failed: {Reason}")]
    public static partial void StoreFailed(this ILogger logger, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Global size cap {MaxBytes} reached: evicted {Count} notifications with the least work per byte")]
    public static partial void GlobalCapEvicted(this ILogger logger, int count, long maxBytes);

    [LoggerMessage(1004, LogLevel.Debug, "TTL sweep deleted {Count} expired notifications")]
    public static partial void Swept(this ILogger logger, int count);

    [LoggerMessage(1005, LogLevel.Warning, "TTL sweep failed: {Reason}")]
    public static partial void SweepFailed(this ILogger logger, string reason);

    [LoggerMessage(1006, LogLevel.Information, "Store schema migrated: by_worth index rebuilt for {Count} notifications")]
    public static partial void WorthIndexRebuilt(this ILogger logger, long count);
}
