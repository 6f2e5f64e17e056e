using Microsoft.Extensions.Logging;

namespace Nnrp.Client;

/// <summary>Wallet SDK events, ids 1200–1299.</summary>
internal static partial class Log
{
    [LoggerMessage(1200, LogLevel.Debug, "Publishing {Hash} to {Node} (attempt {Attempt})")]
    public static partial void Publishing(ILogger logger, string hash, string node, int attempt);

    [LoggerMessage(1201, LogLevel.Information, "{Node} stored {Hash} until {ExpiresAt}")]
    public static partial void Stored(ILogger logger, string node, string hash, ulong expiresAt);

    [LoggerMessage(1202, LogLevel.Warning, "{Node} did not store the notification: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string node, string reason);

    [LoggerMessage(1203, LogLevel.Information, "{Node} demands threshold {Threshold:x16}; computing more work")]
    public static partial void MoreWork(ILogger logger, string node, ulong threshold);

    [LoggerMessage(1204, LogLevel.Debug, "Fetched {Count} notifications from {Node} in {Pages} pages")]
    public static partial void Fetched(ILogger logger, string node, int count, int pages);

    [LoggerMessage(1205, LogLevel.Warning, "Fetch from {Node} failed: {Reason}")]
    public static partial void FetchFailed(ILogger logger, string node, string reason);

    [LoggerMessage(1206, LogLevel.Information, "{Node} refused a {Bits}-bit prefix as too wide; asking with {Narrower} bits")]
    public static partial void NarrowingPrefix(ILogger logger, string node, int bits, int narrower);

    [LoggerMessage(1207, LogLevel.Debug, "Ignoring relay hint {Hint}: {Reason}")]
    public static partial void BadHint(ILogger logger, string hint, string reason);

    [LoggerMessage(1208, LogLevel.Debug, "Discovery: {Count} candidate nodes ({Source})")]
    public static partial void Candidates(ILogger logger, int count, string source);

    [LoggerMessage(1209, LogLevel.Warning, "DHT lookup for providers failed: {Reason}")]
    public static partial void DhtFailed(ILogger logger, string reason);

    [LoggerMessage(1210, LogLevel.Debug, "Discovery: {Answered} of {Probed} DHT providers answered status; they are tried first")]
    public static partial void ProvidersProbed(ILogger logger, int answered, int probed);
}
