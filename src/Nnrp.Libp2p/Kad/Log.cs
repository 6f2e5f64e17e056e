using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Kad;

/// <summary>Kad-DHT log events, ids 600-699.</summary>
internal static partial class Log
{
    [LoggerMessage(600, LogLevel.Information, "Kad-DHT started in {Mode} mode on {ProtocolId}")]
    public static partial void Started(ILogger logger, KadMode mode, string protocolId);

    [LoggerMessage(601, LogLevel.Information, "Kad stream from {Peer} closed: {Reason}")]
    public static partial void InboundViolation(ILogger logger, string peer, string reason);

    [LoggerMessage(602, LogLevel.Debug, "Kad request to {Peer} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(603, LogLevel.Debug, "Kad peer {Peer} added to the routing table ({Count} peers)")]
    public static partial void PeerAdded(ILogger logger, string peer, int count);

    [LoggerMessage(604, LogLevel.Debug, "Kad peer {Peer} evicted from the routing table")]
    public static partial void PeerEvicted(ILogger logger, string peer);

    [LoggerMessage(605, LogLevel.Information, "Kad bootstrap: {Dialed} of {Total} peers reached, routing table holds {Count}")]
    public static partial void Bootstrapped(ILogger logger, int dialed, int total, int count);

    [LoggerMessage(606, LogLevel.Debug, "Kad lookup for {Target} ended after {Queries} requests with {Found} peers")]
    public static partial void LookupFinished(ILogger logger, string target, int queries, int found);

    [LoggerMessage(607, LogLevel.Information, "Kad provider record from {Peer} refused: {Reason} (further refusals of this peer are not logged for {Quiet})")]
    public static partial void ProviderRefused(ILogger logger, string peer, string reason, TimeSpan quiet);

    [LoggerMessage(608, LogLevel.Debug, "Kad swept {Count} expired provider records")]
    public static partial void ProvidersSwept(ILogger logger, int count);

    [LoggerMessage(609, LogLevel.Debug, "Kad peer {Peer} is over its request rate; stream reset")]
    public static partial void RateLimited(ILogger logger, string peer);

    [LoggerMessage(610, LogLevel.Debug, "Kad record refused: {Reason}")]
    public static partial void RecordRefused(ILogger logger, string reason);

    [LoggerMessage(611, LogLevel.Warning, "Kad routing table could not be saved to {Path}: {Reason}")]
    public static partial void SaveFailed(ILogger logger, string path, string reason);

    [LoggerMessage(612, LogLevel.Warning, "Kad background task {Task} failed")]
    public static partial void BackgroundFailed(ILogger logger, Exception error, string task);

    [LoggerMessage(613, LogLevel.Debug, "Kad republished {Count} provider records")]
    public static partial void Republished(ILogger logger, int count);

    [LoggerMessage(614, LogLevel.Warning, "Kad bootstrap peer {Address} skipped: {Reason}")]
    public static partial void BootstrapPeerSkipped(ILogger logger, string address, string reason);

    [LoggerMessage(615, LogLevel.Information, "Kad-DHT now in {Mode} mode")]
    public static partial void ModeChanged(ILogger logger, KadMode mode);
}
