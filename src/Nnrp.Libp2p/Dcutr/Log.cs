using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>DCUtR events, ids 1750–1779.</summary>
internal static partial class Log
{
    [LoggerMessage(1750, LogLevel.Debug, "DCUtR: relayed connection from {PeerId}, upgrading")]
    public static partial void Upgrading(this ILogger logger, string peerId);

    [LoggerMessage(1751, LogLevel.Information, "DCUtR: direct connection to {PeerId} ({How}, attempt {Attempt})")]
    public static partial void Upgraded(this ILogger logger, string peerId, string how, int attempt);

    [LoggerMessage(1752, LogLevel.Debug, "DCUtR: attempt {Attempt} with {PeerId} found no direct connection")]
    public static partial void AttemptFailed(this ILogger logger, int attempt, string peerId);

    [LoggerMessage(1753, LogLevel.Debug, "DCUtR: hole punch with {PeerId} failed: {Reason}")]
    public static partial void HolePunchFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1754, LogLevel.Debug, "DCUtR: bad message from {PeerId}, stream reset: {Reason}")]
    public static partial void BadMessage(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1755, LogLevel.Debug, "DCUtR: no hole punch with {PeerId}: {Reason}")]
    public static partial void Declined(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1756, LogLevel.Debug, "DCUtR: closed the relayed connection {ConnectionId} to {PeerId}, a direct one took over")]
    public static partial void RelayedClosed(this ILogger logger, string connectionId, string peerId);
}
