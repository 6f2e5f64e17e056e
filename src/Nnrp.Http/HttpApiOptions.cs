namespace Nnrp.Http;

/// <summary>Where the HTTP API listens, whom browsers may let call it, and how much one client may ask of it.</summary>
public sealed record HttpApiOptions
{
    /// <summary>Loopback by default: a wallet on the same machine, nobody else (issue 6 item 6).</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Kestrel URLs, e.g. <c>http://0.0.0.0:8080</c>; port 0 picks a free port.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Origins allowed by CORS (<c>*</c> for any); empty: no CORS headers, browsers on other origins are refused.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>NNRP.md §12: JSON documents over 8 KiB are refused; protobuf bodies get the same bound.</summary>
    public int MaxBodyBytes { get; init; } = 8 * 1024;

    /// <summary>
    /// NNRP.md §12: requests a second one client address may make on average (token bucket,
    /// bursts of <see cref="RateLimitBurst"/>); over it, 429 <c>rate_limited</c> with Retry-After.
    /// A wallet pages a mailbox in a handful of requests; 50 a second is far above that.
    /// </summary>
    public int RateLimitPerSecond { get; init; } = (int)Nnrp.Node.Decisions.RateRules.DefaultHttpClient.PerSecond;

    /// <summary>Requests one client address may make at once after being idle.</summary>
    public int RateLimitBurst { get; init; } = Nnrp.Node.Decisions.RateRules.DefaultHttpClient.Burst;

    /// <summary>
    /// Proxies (addresses or networks such as <c>10.0.0.0/8</c>) whose <c>Forwarded</c> /
    /// <c>X-Forwarded-For</c> headers name the client; from anyone else those headers are
    /// ignored. Empty (the default): the TCP peer is the client.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>
    /// Health checks beyond the store's, which the API always runs (e.g.
    /// <see cref="Health.DhtReadinessCheck.Registration"/>); tagged <see cref="Health.HealthTags"/>
    /// live and/or ready, served on <c>/health/live</c> and <c>/health/ready</c>.
    /// </summary>
    public IReadOnlyList<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration> HealthChecks { get; init; } = [];

    /// <summary>Returns <paramref name="proxy"/> when it is an address or network.</summary>
    /// <exception cref="FormatException">it is neither.</exception>
    public static string CheckProxy(string proxy)
    {
        _ = ForwardedClientAddress.Parse(proxy);
        return proxy;
    }

    /// <summary>
    /// NNRP.md §12: how long one write of a mailbox page may wait for the client to take bytes
    /// before the connection is aborted and the page's fetch budget freed.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
