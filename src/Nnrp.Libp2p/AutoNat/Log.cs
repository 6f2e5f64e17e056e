using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>AutoNAT v2 events, ids 1600–1649.</summary>
internal static partial class Log
{
    [LoggerMessage(1600, LogLevel.Debug, "AutoNAT request from {PeerId} refused: {Reason}")]
    public static partial void RequestRejected(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1601, LogLevel.Debug, "AutoNAT dial back to {Address} for {PeerId}: {Status}")]
    public static partial void DialedBack(this ILogger logger, string address, string peerId, string status);

    [LoggerMessage(1602, LogLevel.Debug, "AutoNAT request from {PeerId} failed: {Reason}")]
    public static partial void RequestFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1610, LogLevel.Debug, "AutoNAT: {Server} reports {Address} {Outcome}")]
    public static partial void ProbeResult(this ILogger logger, string server, string address, string outcome);

    [LoggerMessage(1611, LogLevel.Debug, "AutoNAT probe of {Server} failed: {Reason}")]
    public static partial void ProbeFailed(this ILogger logger, string server, string reason);

    [LoggerMessage(1612, LogLevel.Debug, "AutoNAT dial back from {PeerId} refused: {Reason}")]
    public static partial void DialBackRefused(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1613, LogLevel.Information, "Reachability is now {Reachability}")]
    public static partial void ReachabilityChanged(this ILogger logger, Reachability reachability);

    [LoggerMessage(1614, LogLevel.Warning, "AutoNAT probe round failed")]
    public static partial void RoundFailed(this ILogger logger, Exception exception);
}
