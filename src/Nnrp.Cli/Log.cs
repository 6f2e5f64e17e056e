using Microsoft.Extensions.Logging;

namespace Nnrp.Cli;

/// <summary>CLI events, ids 1–99 (the node's own start-up lines are in Nnrp.Node's Log).</summary>
internal static partial class Log
{
    [LoggerMessage(3, LogLevel.Error, "Bad --listen address: {Reason}")]
    public static partial void BadListenAddress(this ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Error, "Cannot listen: {Reason}")]
    public static partial void CannotListen(this ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Information, "Shutting down")]
    public static partial void ShuttingDown(this ILogger logger);

    [LoggerMessage(6, LogLevel.Error, "Bad bootstrap peer: {Reason}")]
    public static partial void BadBootstrapPeer(this ILogger logger, string reason);

    [LoggerMessage(7, LogLevel.Error, "Bad TLS setting: {Reason}")]
    public static partial void BadTls(this ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Information, "HTTP API on {Url}")]
    public static partial void HttpListening(this ILogger logger, string url);

    [LoggerMessage(10, LogLevel.Error, "The store cannot be opened: {Reason}")]
    public static partial void StoreUnavailable(this ILogger logger, string reason);

    [LoggerMessage(40, LogLevel.Information, "Metrics on {Url}/metrics")]
    public static partial void MetricsListening(this ILogger logger, string url);

    [LoggerMessage(41, LogLevel.Error, "Metrics listener {Url} unavailable, running without /metrics: {Reason}")]
    public static partial void MetricsUnavailable(this ILogger logger, string url, string reason);
}
