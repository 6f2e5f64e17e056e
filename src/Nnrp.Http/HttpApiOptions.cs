using System.Security.Cryptography.X509Certificates;
using Nnrp.Libp2p.Addressing;

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

    /// <summary>
    /// How long a browser may cache a CORS preflight answer, so a wallet's every POST is not
    /// preceded by an OPTIONS round trip (and its rate-limit token). Two hours: Chromium's cap;
    /// Firefox allows a day, so a longer value would only differ there.
    /// </summary>
    public static readonly TimeSpan CorsPreflightMaxAge = TimeSpan.FromHours(2);

    /// <summary>
    /// The certificate (with its private key) of <c>https://</c> URLs; null: only <c>http://</c>
    /// URLs can be served. Loaded once at start-up by the caller, so the same certificate can
    /// serve other TLS doors (libp2p WebSocket) too.
    /// </summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// NNRP.md §12 "Browser doors": the public addresses of this API (<c>/dns4/node.example.org/tcp/443/tls/http</c>,
    /// e.g. behind a reverse proxy), advertised in identify, Kad peer records and <c>/v1/status</c>
    /// instead of the bound URLs. Empty: the bound URLs, wildcards expanded to the machine's
    /// interfaces, loopback and private ones only when <see cref="AdvertisePrivate"/>.
    /// </summary>
    public IReadOnlyList<Multiaddr> AnnounceAddresses { get; init; } = [];

    /// <summary>
    /// A private network or loopback testnet: loopback and private addresses (of this API and,
    /// in <c>/v1/peers</c>, of other nodes) are advertised too, as Kad keeps them only there.
    /// </summary>
    public bool AdvertisePrivate { get; init; }

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
