using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nnrp.Http.Endpoints;
using Nnrp.Http.Metrics;

namespace Nnrp.Http;

/// <summary>
/// The node's HTTP API on Kestrel (issue 6 item 6; contract in NNRP.md §12): notifications in
/// and out, work thresholds, status, health and Prometheus metrics. It holds no state of its
/// own; every request goes to the node's ingress gate or store.
/// </summary>
public sealed class HttpApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpApi(WebApplication app) => _app = app;

    /// <summary>The bound URLs (real ports when port 0 was asked for).</summary>
    public IReadOnlyList<string> Urls =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    public static async Task<HttpApi> StartAsync(HttpApiContext api, HttpApiOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
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
        var latency = new RequestLatency();
        api = api with { MetricsSources = [.. api.MetricsSources, latency] };
        app.Use(latency.Middleware);
        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors();
        }
        NotificationEndpoints.Map(app, api, options);
        NodeEndpoints.Map(app, api);
        app.MapFallback(context => Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not_found", $"no endpoint {context.Request.Method} {context.Request.Path}"));
        await app.StartAsync(cancellationToken);
        return new HttpApi(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5) is var t ? new CancellationTokenSource(t).Token : default);
        await _app.DisposeAsync();
    }
}
