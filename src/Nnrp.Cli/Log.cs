using Microsoft.Extensions.Logging;

namespace Nnrp.Cli;

/// <summary>CLI events, ids 1–99.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "NNRP node {PeerId} ({Agent}), data in {DataDir}")]
    public static partial void NodeStarted(this ILogger logger, string peerId, string agent, string dataDir);

    [LoggerMessage(2, LogLevel.Information, "Reachable at {Address}")]
    public static partial void Reachable(this ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Error, "Bad --listen address: {Reason}")]
    public static partial void BadListenAddress(this ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Error, "Cannot listen: {Reason}")]
    public static partial void CannotListen(this ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Information, "Shutting down")]
    public static partial void ShuttingDown(this ILogger logger);

    [LoggerMessage(6, LogLevel.Error, "Bad bootstrap peer: {Reason}")]
    public static partial void BadBootstrapPeer(this ILogger logger, string reason);

    [LoggerMessage(7, LogLevel.Information, "DHT ready: {Peers} peers in the routing table ({Bootstrap} bootstrap peers configured)")]
    public static partial void DhtReady(this ILogger logger, int peers, int bootstrap);

    [LoggerMessage(8, LogLevel.Information, "Providing shard {Cid} to {Peers} peers")]
    public static partial void ProvidingShard(this ILogger logger, string cid, int peers);

    [LoggerMessage(9, LogLevel.Information, "HTTP API on {Url}")]
    public static partial void HttpListening(this ILogger logger, string url);

    [LoggerMessage(10, LogLevel.Error, "The store cannot be opened: {Reason}")]
    public static partial void StoreUnavailable(this ILogger logger, string reason);

    [LoggerMessage(11, LogLevel.Information, "Bootstrap peer {Address} is {PeerId}")]
    public static partial void BootstrapIdentified(this ILogger logger, string address, string peerId);

    [LoggerMessage(12, LogLevel.Warning, "Bootstrap peer {Address} unreachable: {Reason}")]
    public static partial void BootstrapUnreachable(this ILogger logger, string address, string reason);

    [LoggerMessage(40, LogLevel.Information, "Metrics on {Url}/metrics")]
    public static partial void MetricsListening(this ILogger logger, string url);

    [LoggerMessage(41, LogLevel.Error, "Metrics listener {Url} unavailable, running without /metrics: {Reason}")]
    public static partial void MetricsUnavailable(this ILogger logger, string url, string reason);
}
