using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nnrp.Http.Metrics;

namespace Nnrp.Http;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text) on its own listener, loopback by default (NNRP.md §12,
/// issue 12 attack 3): the API port may face the internet, the node's counters need not.
/// Nothing else is served here.
/// </summary>
public sealed class MetricsListener : IAsyncDisposable
{
    /// <summary>Loopback, Prometheus's customary exporter port range.</summary>
    public const string DefaultUrl = "http://127.0.0.1:9464";

    private readonly WebApplication _app;

    private MetricsListener(WebApplication app) => _app = app;

    /// <summary>The bound URLs (real ports when port 0 was asked for).</summary>
    public IReadOnlyList<string> Urls => HttpApi.BoundUrls(_app);

    /// <exception cref="IOException">the address cannot be bound.</exception>
    public static async Task<MetricsListener> StartAsync(IReadOnlyList<string> urls, IReadOnlyList<IMetricsSource> sources, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        WebApplication app = builder.Build();
        app.MapGet("/metrics", async context =>
        {
            var writer = new PrometheusWriter();
            foreach (IMetricsSource source in sources)
            {
                source.Collect(writer);
            }
            context.Response.ContentType = PrometheusWriter.ContentType;
            await context.Response.WriteAsync(writer.ToString(), context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        return new MetricsListener(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
