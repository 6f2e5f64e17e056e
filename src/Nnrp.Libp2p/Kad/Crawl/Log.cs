using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Kad.Crawl;

/// <summary>Crawler log events, ids 680-689 (within Kad's 600-699).</summary>
internal static partial class Log
{
    [LoggerMessage(680, LogLevel.Debug, "Crawl: {Peer} unreachable: {Reason}")]
    public static partial void Unreachable(ILogger logger, string peer, string reason);

    [LoggerMessage(681, LogLevel.Debug, "Crawl: {Peer} answered {Requests} FIND_NODE requests naming {Named} peers ({New} new)")]
    public static partial void Visited(ILogger logger, string peer, int requests, int named, int @new);

    [LoggerMessage(682, LogLevel.Information, "Crawl ended: {Visited} peers visited, {Reachable} reachable, {Waiting} not visited, deadline {Deadline}, cap {Cap}")]
    public static partial void Ended(ILogger logger, int visited, int reachable, int waiting, bool deadline, bool cap);

    [LoggerMessage(683, LogLevel.Debug, "Crawl: GET_PROVIDERS to {Peer} failed: {Reason}")]
    public static partial void ProvidersFailed(ILogger logger, string peer, string reason);
}
