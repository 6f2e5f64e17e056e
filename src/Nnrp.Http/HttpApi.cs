using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nnrp.Http.Endpoints;
using Nnrp.Http.Metrics;

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
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.Services.AddRateLimiter(limiter => ConfigureRateLimits(limiter, options, logger));
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
                policy.AllowAnyHeader().WithMethods("GET", "POST");
            }));
        }

        WebApplication app = builder.Build();
        // Order: who the client is (behind trusted proxies) → no exception text leaves the node
        // → latency (on the node's meters, when it has them) → per-client rate limit → CORS → endpoints.
        app.Use(clientAddress.InvokeAsync);
        app.Use((context, next) => Problems.CatchAsync(context, next, logger));
        if (api.Meters is not null)
        {
            app.Use(new RequestLatency(api.Meters).Middleware);
        }
        app.UseRateLimiter();
        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors();
        }
        NotificationEndpoints.Map(app, api, options, logger);
        NodeEndpoints.Map(app, api);
        app.MapFallback(context => Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not_found", $"no endpoint {context.Request.Method} {context.Request.Path}"));
        await app.StartAsync(cancellationToken);
        return new HttpApi(app);
    }

    /// <summary>
    /// NNRP.md §12: a token bucket per client address over every route; a refused request is
    /// answered 429 with Retry-After and the problem reason <c>rate_limited</c>.
    /// </summary>
    private static void ConfigureRateLimits(RateLimiterOptions limiter, HttpApiOptions options, ILogger logger)
    {
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetTokenBucketLimiter(ClientKey(context), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RateLimitBurst,
                TokensPerPeriod = options.RateLimitPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            HttpContext context = rejected.HttpContext;
            logger.RateLimited(ClientKey(context));
            int seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 1;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited",
                $"too many requests from this address; retry after {seconds} s");
        };
    }

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
