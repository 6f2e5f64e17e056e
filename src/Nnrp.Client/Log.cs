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

    [LoggerMessage(1208, LogLevel.Debug, "Holders: {Verified} verified of {Count} candidates (DHT walk from depth {Start}, {Lookups} lookups)")]
    public static partial void HoldersFound(ILogger logger, int verified, int count, int start, int lookups);

    [LoggerMessage(1209, LogLevel.Warning, "DHT lookup for providers failed: {Reason}")]
    public static partial void DhtFailed(ILogger logger, string reason);

    [LoggerMessage(1210, LogLevel.Debug, "{Answered} of {Probed} nodes answered a status request")]
    public static partial void StatusProbed(ILogger logger, int answered, int probed);

    [LoggerMessage(1211, LogLevel.Debug, "Shard depth {Depth}: {Providers} new providers, {Holders} hold the tag")]
    public static partial void DepthLookedUp(ILogger logger, int depth, int providers, int holders);

    [LoggerMessage(1212, LogLevel.Warning, "Holder search stopped after {Seconds} s: {Lookups} lookups, {Holders} holders found")]
    public static partial void SearchTimedOut(ILogger logger, double seconds, int lookups, int holders);

    [LoggerMessage(1213, LogLevel.Warning, "Only {Complete} of the {Wanted} nodes wanted answered the fetch to the end")]
    public static partial void FewFetchHolders(ILogger logger, int complete, int wanted);
}
