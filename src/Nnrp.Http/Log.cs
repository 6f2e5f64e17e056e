using Microsoft.Extensions.Logging;

namespace Nnrp.Http;

/// <summary>HTTP API events, ids 1300–1349.</summary>
internal static partial class Log
{
    [LoggerMessage(1300, LogLevel.Error, "HTTP {Method} {Path} failed (correlation id {CorrelationId})")]
    public static partial void RequestFailed(this ILogger logger, string method, string path, string correlationId, Exception exception);

    [LoggerMessage(1301, LogLevel.Debug, "HTTP client {Client}: rate limited")]
    public static partial void RateLimited(this ILogger logger, string client);

    [LoggerMessage(1302, LogLevel.Debug, "HTTP client {Client}: mailbox page write stalled, connection aborted")]
    public static partial void WriteStalled(this ILogger logger, string client);

    [LoggerMessage(1303, LogLevel.Debug, "HTTP client {Client}: fetch budget spent")]
    public static partial void FetchBudgetSpent(this ILogger logger, string client);
}
