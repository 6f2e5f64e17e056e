using Microsoft.Extensions.Logging;

namespace Nnrp.Node.Providers;

/// <summary>Provider verification events, ids 1270–1289.</summary>
internal static partial class Log
{
    [LoggerMessage(1270, LogLevel.Debug, "DHT provider {Peer} verified: it answered /nnrp/1.0 status")]
    public static partial void ProviderVerified(this ILogger logger, string peer);

    [LoggerMessage(1271, LogLevel.Debug, "DHT provider {Peer} not verified: {Reason}")]
    public static partial void ProviderNotVerified(this ILogger logger, string peer, string reason);
}
