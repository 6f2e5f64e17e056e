using Microsoft.Extensions.Logging;

namespace Nnrp.Node;

/// <summary>The node's start-up and readiness events, ids 1220–1239 (texts read by operators' scripts and the CLI tests).</summary>
internal static partial class Log
{
    [LoggerMessage(1220, LogLevel.Information, "NNRP node {PeerId} ({Agent}), data in {DataDir}")]
    public static partial void NodeStarted(this ILogger logger, string peerId, string agent, string dataDir);

    [LoggerMessage(1221, LogLevel.Information, "Reachable at {Address}")]
    public static partial void Reachable(this ILogger logger, string address);

    [LoggerMessage(1222, LogLevel.Information, "Bootstrap peer {Address} is {PeerId}")]
    public static partial void BootstrapIdentified(this ILogger logger, string address, string peerId);

    [LoggerMessage(1223, LogLevel.Warning, "Bootstrap peer {Address} unreachable: {Reason}")]
    public static partial void BootstrapUnreachable(this ILogger logger, string address, string reason);

    [LoggerMessage(1224, LogLevel.Information, "DHT ready: {Peers} peers in the routing table ({Bootstrap} bootstrap peers configured)")]
    public static partial void DhtReady(this ILogger logger, int peers, int bootstrap);

    [LoggerMessage(1225, LogLevel.Information, "Providing shard {Cid} to {Peers} peers")]
    public static partial void ProvidingShard(this ILogger logger, string cid, int peers);

    [LoggerMessage(1226, LogLevel.Error, "DHT bootstrap failed; the node serves without providing its shard")]
    public static partial void DhtFailed(this ILogger logger, Exception exception);
}
