using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>WebSocket transport events, ids 1400–1449.</summary>
internal static partial class Log
{
    [LoggerMessage(1400, LogLevel.Debug, "Listening for WebSocket connections on {Address}")]
    public static partial void Listening(ILogger logger, Multiaddr address);

    [LoggerMessage(1401, LogLevel.Debug, "Dialing {Address}")]
    public static partial void Dialing(ILogger logger, Multiaddr address);

    [LoggerMessage(1402, LogLevel.Debug, "Dial of {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, Multiaddr address, string reason);

    [LoggerMessage(1403, LogLevel.Debug, "Refused the upgrade request from {Remote} with {Status}: {Reason}")]
    public static partial void UpgradeRefused(ILogger logger, Multiaddr remote, int status, string reason);

    [LoggerMessage(1404, LogLevel.Debug, "WebSocket upgrade from {Remote} failed: {Reason}")]
    public static partial void UpgradeFailed(ILogger logger, Multiaddr remote, string reason);

    [LoggerMessage(1405, LogLevel.Debug, "WebSocket peer {Remote} broke a framing rule: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, Multiaddr remote, string reason);

    [LoggerMessage(1406, LogLevel.Debug, "WebSocket peer {Remote} closed with status {Status}")]
    public static partial void CloseReceived(ILogger logger, Multiaddr remote, ushort status);

    [LoggerMessage(1407, LogLevel.Debug, "WebSocket connection to {Remote} did not drain within {Timeout}; aborting")]
    public static partial void CloseTimedOut(ILogger logger, Multiaddr remote, TimeSpan timeout);
}
