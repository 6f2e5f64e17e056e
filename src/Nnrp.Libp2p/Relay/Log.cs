using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Relay;

/// <summary>Circuit relay v2 events, ids 1650–1699.</summary>
internal static partial class Log
{
    [LoggerMessage(1650, LogLevel.Debug, "Relay: reservation for {PeerId} until {Expires:O}")]
    public static partial void ReservationGranted(this ILogger logger, string peerId, DateTimeOffset expires);

    [LoggerMessage(1651, LogLevel.Information, "Relay: reservation for {PeerId} refused ({Held} held)")]
    public static partial void ReservationRefused(this ILogger logger, string peerId, int held);

    [LoggerMessage(1652, LogLevel.Debug, "Relay: reservation of {PeerId} dropped, its connection closed")]
    public static partial void ReservationDropped(this ILogger logger, string peerId);

    [LoggerMessage(1653, LogLevel.Debug, "Relay: circuit {Source} -> {Destination} refused: {Status}")]
    public static partial void CircuitRefused(this ILogger logger, string source, string destination, string status);

    [LoggerMessage(1654, LogLevel.Debug, "Relay: circuit {Source} -> {Destination} ended: {End}")]
    public static partial void CircuitEnded(this ILogger logger, string source, string destination, CircuitEnd end);

    [LoggerMessage(1655, LogLevel.Debug, "Relay: stop CONNECT to {PeerId} failed: {Reason}")]
    public static partial void StopRefused(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1656, LogLevel.Debug, "Relay: bad request from {PeerId}: {Reason}")]
    public static partial void BadRequest(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1660, LogLevel.Information, "Relay client: reserved a slot on {Relay} until {Expires:O}")]
    public static partial void Reserved(this ILogger logger, string relay, DateTimeOffset expires);

    [LoggerMessage(1661, LogLevel.Information, "Relay client: reservation on {Relay} failed: {Reason}")]
    public static partial void ReserveFailed(this ILogger logger, string relay, string reason);

    [LoggerMessage(1662, LogLevel.Information, "Relay client: connection to relay {Relay} lost, reserving again")]
    public static partial void RelayLost(this ILogger logger, string relay);

    [LoggerMessage(1663, LogLevel.Debug, "Relay client: relayed connection from {Source} through {Relay}")]
    public static partial void CircuitAccepted(this ILogger logger, string source, string relay);

    [LoggerMessage(1664, LogLevel.Debug, "Relay client: circuit to {Destination} through {Relay} open (limit {DurationSeconds} s, {DataBytes} bytes)")]
    public static partial void CircuitOpened(this ILogger logger, string destination, string relay, double durationSeconds, long dataBytes);

    [LoggerMessage(1665, LogLevel.Information, "Auto relay: {Active} (reservations are sought only while the node is not publicly dialable)")]
    public static partial void AutoRelayActive(this ILogger logger, bool active);

    [LoggerMessage(1666, LogLevel.Information, "Auto relay: relay {Relay} failed, trying another: {Reason}")]
    public static partial void AutoRelayFailed(this ILogger logger, string relay, string reason);

    [LoggerMessage(1667, LogLevel.Information, "Auto relay: relay {Relay} dropped its reservation soon after granting it; left alone as one that failed")]
    public static partial void AutoRelayShortHold(this ILogger logger, string relay);
}
