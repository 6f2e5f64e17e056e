using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Identify;

/// <summary>identify events, ids 500–549.</summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Debug, "Identified {PeerId}: agent {AgentVersion}, {ProtocolCount} protocols")]
    public static partial void Identified(this ILogger logger, string peerId, string agentVersion, int protocolCount);

    [LoggerMessage(501, LogLevel.Debug, "Identify with {PeerId} failed: {Reason}")]
    public static partial void IdentifyFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(502, LogLevel.Debug, "Identify push from {PeerId}: {ProtocolCount} protocols")]
    public static partial void PushReceived(this ILogger logger, string peerId, int protocolCount);

    [LoggerMessage(503, LogLevel.Debug, "Identify push to {PeerId} failed: {Reason}")]
    public static partial void PushFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(504, LogLevel.Warning, "A PeerIdentified subscriber threw")]
    public static partial void SubscriberFailed(this ILogger logger, Exception exception);
}
