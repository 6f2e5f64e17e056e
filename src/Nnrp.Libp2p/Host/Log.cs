using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Host;

/// <summary>Host events, ids 400–499.</summary>
internal static partial class Log
{
    [LoggerMessage(400, LogLevel.Information, "Listening on {Address}")]
    public static partial void Listening(this ILogger logger, string address);

    [LoggerMessage(401, LogLevel.Debug, "Connection {ConnectionId} {Direction} to {PeerId} at {Address} established")]
    public static partial void ConnectionEstablished(this ILogger logger, string connectionId, ConnectionDirection direction, string peerId, string address);

    [LoggerMessage(402, LogLevel.Debug, "Connection {ConnectionId} to {PeerId} closed")]
    public static partial void ConnectionClosed(this ILogger logger, string connectionId, string peerId);

    [LoggerMessage(403, LogLevel.Debug, "Inbound handshake from {Address} failed: {Reason}")]
    public static partial void InboundHandshakeFailed(this ILogger logger, string address, string reason);

    [LoggerMessage(404, LogLevel.Debug, "Inbound connection from {Address} refused: {Reason}")]
    public static partial void InboundRefused(this ILogger logger, string address, string reason);

    [LoggerMessage(405, LogLevel.Debug, "Inbound stream on {ConnectionId} from {PeerId} refused: {Reason}")]
    public static partial void StreamNegotiationFailed(this ILogger logger, string connectionId, string peerId, string reason);

    [LoggerMessage(406, LogLevel.Debug, "Handler for {Protocol} from {PeerId} failed")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string protocol, string peerId);

    [LoggerMessage(407, LogLevel.Warning, "Accept loop on {Address} stopped")]
    public static partial void AcceptLoopFailed(this ILogger logger, Exception exception, string address);

    [LoggerMessage(408, LogLevel.Warning, "A connection event subscriber threw")]
    public static partial void SubscriberFailed(this ILogger logger, Exception exception);

    [LoggerMessage(409, LogLevel.Debug, "Dial {Address} failed: {Reason}")]
    public static partial void DialFailed(this ILogger logger, string address, string reason);

    [LoggerMessage(410, LogLevel.Debug, "Connection {ConnectionId} to {PeerId} ended with an error: {Reason}")]
    public static partial void ConnectionFailed(this ILogger logger, string connectionId, string peerId, string reason);

    [LoggerMessage(411, LogLevel.Debug, "Connection {ConnectionId} to {PeerId} trimmed: {Reason}")]
    public static partial void ConnectionTrimmed(this ILogger logger, string connectionId, string peerId, string reason);
}
