using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Yamux;

/// <summary>Yamux log events, ids 300-399.</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Debug, "yamux session started as {Role}")]
    public static partial void SessionStarted(ILogger logger, YamuxRole role);

    [LoggerMessage(301, LogLevel.Debug, "yamux session ended")]
    public static partial void SessionEnded(ILogger logger, Exception? error);

    [LoggerMessage(302, LogLevel.Information, "yamux protocol violation by the peer: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string reason);

    [LoggerMessage(303, LogLevel.Debug, "yamux inbound stream {StreamId} refused with RST: {Reason}")]
    public static partial void InboundStreamRefused(ILogger logger, uint streamId, string reason);

    [LoggerMessage(304, LogLevel.Debug, "yamux peer sent go away ({Code})")]
    public static partial void GoAwayReceived(ILogger logger, YamuxGoAwayCode code);

    [LoggerMessage(305, LogLevel.Information, "yamux keep-alive ping not answered within {Timeout}; closing the session")]
    public static partial void KeepAliveTimeout(ILogger logger, TimeSpan timeout);

    [LoggerMessage(306, LogLevel.Trace, "yamux frame for unknown stream {StreamId} ignored")]
    public static partial void UnknownStreamFrame(ILogger logger, uint streamId);

    [LoggerMessage(307, LogLevel.Debug, "yamux transport failed")]
    public static partial void TransportFailed(ILogger logger, Exception error);
}
