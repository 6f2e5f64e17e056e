using Microsoft.Extensions.Logging;

namespace Nnrp.Node.Sync;

/// <summary>Sync events, ids 1160–1199.</summary>
internal static partial class Log
{
    [LoggerMessage(1160, LogLevel.Debug, "Sync with {PeerId} done: {Rounds} rounds, {Bytes} bytes, {Pulled} pulled, {Offered} offered, complete={Complete}")]
    public static partial void SessionDone(this ILogger logger, string peerId, int rounds, long bytes, int pulled, int offered, bool complete);

    [LoggerMessage(1161, LogLevel.Warning, "Sync with {PeerId} ended: the peer broke §11.8: {Reason}")]
    public static partial void PeerViolation(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1162, LogLevel.Debug, "Sync with {PeerId} failed: {Reason}")]
    public static partial void SessionFailed(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1163, LogLevel.Debug, "Sync with {PeerId}: refused {Status} ({Reason})")]
    public static partial void Refused(this ILogger logger, string peerId, Core.Protocol.StatusCode status, string reason);

    [LoggerMessage(1164, LogLevel.Debug, "Sync request from {PeerId} refused: {Reason}")]
    public static partial void RequestRefused(this ILogger logger, string peerId, string reason);

    [LoggerMessage(1165, LogLevel.Information, "Replication: {Providers} providers of the shard; offering={Offering}")]
    public static partial void ProvidersChecked(this ILogger logger, int providers, bool offering);

    [LoggerMessage(1166, LogLevel.Debug, "Replication check failed: {Reason}")]
    public static partial void ProviderCheckFailed(this ILogger logger, string reason);

    [LoggerMessage(1167, LogLevel.Information, "Sync started: every {Interval} with {Peers} random peers, and on connect")]
    public static partial void Started(this ILogger logger, TimeSpan interval, int peers);
}
