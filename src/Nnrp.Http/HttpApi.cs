using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Nnrp.Http.Endpoints;
using Nnrp.Http.Health;
using Nnrp.Http.Metrics;
using Nnrp.Http.OpenApi;
using Nnrp.Http.Peers;
using Nnrp.Libp2p.Addressing;
using Nnrp.Node;
using Nnrp.Node.Decisions;
using Nnrp.Protocol.Doors;

namespace Nnrp.Http;

/// <summary>
/// The node's HTTP API on Kestrel (issue 6 item 6; contract in NNRP.md §12): notifications in
/// and out, work thresholds, status and health. It holds no state of its own; every request
/// goes to the node's ingress gate or store. Every route is rate-limited per client address;
/// Prometheus metrics are served apart, by <see cref="MetricsListener"/>, so a public API port
/// does not expose them.
/// </summary>
public sealed class HttpApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpApiContext _api;

    private HttpApi(WebApplication app, HttpApiContext api, IReadOnlyList<Multiaddr> doors)
    {
        _app = app;
        _api = api;
        Doors = doors;
    }

    /// <summary>The bound URLs (real ports when port 0 was asked for).</summary>
    public IReadOnlyList<string> Urls => BoundUrls(_app);

    /// <summary>
    /// This API's addresses as the node advertises them (NNRP.md §12 "Browser doors"): the
    /// announce addresses, else the bound URLs that may be told (public, or any on a private network).
    /// </summary>
    public IReadOnlyList<Multiaddr> Doors { get; }

    /// <exception cref="FormatException">a trusted proxy is not an address or network.</exception>
    /// <exception cref="ArgumentException">an https URL without a certificate.</exception>
    public static async Task<HttpApi> StartAsync(HttpApiContext api, HttpApiOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var clientAddress = new ForwardedClientAddress(options.TrustedProxies);
        ILogger logger = loggerFactory.CreateLogger<HttpApi>();
        // NNRP.md §12: the node's rate rule for HTTP clients, from this door's settings.
        api.Node.RateRules.Set(OriginKind.HttpClient, new RateRule(options.RateLimitPerSecond, options.RateLimitBurst));
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls([.. options.Urls]);
        if (options.Certificate is not null)
        {
            // The slim builder leaves HTTPS out until asked for.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }
        else if (options.Urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("an https:// URL needs a certificate (HttpApiOptions.Certificate)", nameof(options));
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            if (options.Certificate is { } certificate)
            {
                // https:// URLs are served with the operator's certificate (PEM files, loaded once by the caller).
                k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        ContractDocument.AddServices(builder.Services);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, DoorsJson.Default));
        IHealthChecksBuilder health = builder.Services.AddHealthChecks().Add(StoreHealthCheck.Registration(api.Node.Store));
        foreach (HealthCheckRegistration check in options.HealthChecks)
        {
            health.Add(check);
        }
        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            {
                if (options.CorsOrigins.Contains("*"))
                {
                    policy.AllowAnyOrigin();
                }
                else
                {
                    policy.WithOrigins([.. options.CorsOrigins]);
                }
                // Retry-After (429, 503) must be readable by a wallet's script to back off as told.
                policy.AllowAnyHeader().WithMethods("GET", "POST")
                    .WithExposedHeaders("Retry-After")
                    .SetPreflightMaxAge(HttpApiOptions.CorsPreflightMaxAge);
            }));
        }

        WebApplication app = builder.Build();
        // Order: who the client is (behind trusted proxies) → no exception text leaves the node
        // → latency (on the node's meters, when it has them) → per-client rate limit → CORS → endpoints.
        // With CORS, preflights (OPTIONS) are admitted before the CORS middleware answers them and
        // every other request after it, so a 429 carries the CORS headers and a wallet's script
        // can read its Retry-After (NNRP.md §12.1); each request still spends one token. CORS
        // headers are added as the answer starts, so a 500 keeps them too.
        app.Use(clientAddress.InvokeAsync);
        app.Use((context, next) => Problems.CatchAsync(context, next, logger));
        if (api.Meters is not null)
        {
            app.Use(new RequestLatency(api.Meters).Middleware);
        }
        if (options.CorsOrigins.Count > 0)
        {
            app.Use((context, next) => HttpMethods.IsOptions(context.Request.Method) ? AdmitAsync(context, next, api.Node, logger) : next(context));
            app.UseCors();
            app.Use((context, next) => HttpMethods.IsOptions(context.Request.Method) ? next(context) : AdmitAsync(context, next, api.Node, logger));
        }
        else
        {
            app.Use((context, next) => AdmitAsync(context, next, api.Node, logger));
        }
        NotificationEndpoints.Map(app, api, options, logger);
        NodeEndpoints.Map(app, api, new PeerDirectory(api.Host, options.AdvertisePrivate, api.Time));
        HealthEndpoints.Map(app);
        ContractDocument.Map(app);
        app.MapFallback(context => Problems.WriteAsync(context, StatusCodes.Status404NotFound, Nnrp.Protocol.Reasons.ReasonWords.NotFound, $"no endpoint {context.Request.Method} {context.Request.Path}"));
        await app.StartAsync(cancellationToken);
        IReadOnlyList<Multiaddr> doors = options.AnnounceAddresses.Count > 0
            ? options.AnnounceAddresses
            : [.. BoundUrls(app).SelectMany(HttpDoorAddress.FromBoundUrl).Where(a => BrowserDoors.IsAdvertisable(a, options.AdvertisePrivate)).Distinct()];
        // Identify, Kad peer records and /v1/status carry the API's doors from now on (§12).
        api.Host.SetOtherDoors(doors);
        return new HttpApi(app, api, doors);
    }

    /// <summary>
    /// NNRP.md §12: every route admits the client address by the node's rate rule
    /// (<see cref="NnrpNode.Admit"/>); a refused request is answered through the HTTP table,
    /// 429 <c>rate_limited</c> with Retry-After.
    /// </summary>
    private static Task AdmitAsync(HttpContext context, RequestDelegate next, NnrpNode node, ILogger logger)
    {
        Decision admitted = node.Admit(OriginOf(context));
        if (admitted.Status != DecisionStatus.RateLimited)
        {
            return next(context);
        }
        logger.RateLimited(ClientKey(context));
        return Problems.WriteAsync(context, admitted, logger);
    }

    /// <summary>The client as the node's façade knows it: the address resolved by <see cref="ForwardedClientAddress"/>.</summary>
    internal static Origin OriginOf(HttpContext context) => Origin.HttpClient(context.Connection.RemoteIpAddress);

    /// <summary>The per-client key of rate limits and the fetch budget: the address resolved by <see cref="ForwardedClientAddress"/>.</summary>
    internal static string ClientKey(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    internal static IReadOnlyList<string> BoundUrls(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    public async ValueTask DisposeAsync()
    {
        _api.Host.SetOtherDoors([]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
