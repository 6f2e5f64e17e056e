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
using Nnrp.Node;
using Nnrp.Node.Decisions;

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

    private HttpApi(WebApplication app) => _app = app;

    /// <summary>The bound URLs (real ports when port 0 was asked for).</summary>
    public IReadOnlyList<string> Urls => BoundUrls(_app);

    /// <exception cref="FormatException">a trusted proxy is not an address or network.</exception>
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
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        ContractDocument.AddServices(builder.Services);
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
                // §12.1: a page must be able to read Retry-After on a 429 or 503.
                policy.AllowAnyHeader().WithMethods("GET", "POST").WithExposedHeaders(HeaderNames.RetryAfter);
            }));
        }

        WebApplication app = builder.Build();
        // Order: who the client is (behind trusted proxies) → no exception text leaves the node
        // → latency (on the node's meters, when it has them) → CORS → per-client rate limit → endpoints.
        // CORS comes before the rate limit so a browser can read a 429 and its Retry-After
        // (NNRP.md §12.1); its headers are added as the answer starts, so a 500 keeps them too.
        app.Use(clientAddress.InvokeAsync);
        app.Use((context, next) => Problems.CatchAsync(context, next, logger));
        if (api.Meters is not null)
        {
            app.Use(new RequestLatency(api.Meters).Middleware);
        }
        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors();
        }
        app.Use((context, next) => AdmitAsync(context, next, api.Node, logger));
        NotificationEndpoints.Map(app, api, options, logger);
        NodeEndpoints.Map(app, api);
        HealthEndpoints.Map(app);
        ContractDocument.Map(app);
        app.MapFallback(context => Problems.WriteAsync(context, StatusCodes.Status404NotFound, Nnrp.Protocol.Reasons.ReasonWords.NotFound, $"no endpoint {context.Request.Method} {context.Request.Path}"));
        await app.StartAsync(cancellationToken);
        return new HttpApi(app);
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
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
