using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nnrp.Node.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Nnrp.Http;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text, or OpenMetrics when the scraper asks for it) on its own
/// listener, loopback by default (NNRP.md §12, issue 12 attack 3): the API port may face the
/// internet, the node's counters need not. Nothing else is served here.
/// </summary>
/// <remarks>
/// The series come from <c>System.Diagnostics.Metrics</c> through OpenTelemetry's Prometheus
/// exporter: the node's own meters (<see cref="NnrpMeters.MeterNames"/>, only the instruments of
/// the node given, not of other nodes in the same process), the runtime's <c>System.Runtime</c>
/// meter (<c>dotnet_gc_*</c>, <c>dotnet_thread_pool_*</c>, <c>dotnet_exceptions_total</c> …) and
/// the process instrumentation (<c>process_cpu_time_seconds_total</c>, <c>process_memory_*</c> …).
/// Scope labels are left off so every node series keeps the labels it had (and its name).
/// </remarks>
public sealed class MetricsListener : IAsyncDisposable
{
    /// <summary>Loopback, Prometheus's customary exporter port range.</summary>
    public const string DefaultUrl = "http://127.0.0.1:9464";

    /// <summary>The <c>service.name</c> of the <c>target_info</c> series.</summary>
    public const string ServiceName = "nnrp";

    private readonly WebApplication _app;

    private MetricsListener(WebApplication app) => _app = app;

    /// <summary>The bound URLs (real ports when port 0 was asked for).</summary>
    public IReadOnlyList<string> Urls => HttpApi.BoundUrls(_app);

    /// <exception cref="IOException">the address cannot be bound.</exception>
    public static async Task<MetricsListener> StartAsync(IReadOnlyList<string> urls, NnrpMeters meters, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meters);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: BuildInfo.Current.Version, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics => metrics
                .AddMeter([.. NnrpMeters.MeterNames])
                .AddView(instrument => IsAnotherNodes(instrument, meters) ? MetricStreamConfiguration.Drop : null)
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter(prometheus =>
                {
                    prometheus.ScopeInfoEnabled = false;
                    // Every scrape reads the counters afresh (they are cheap to read); the
                    // exporter's default 300 ms cache would hand a quick second scrape old figures.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
        WebApplication app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // The port is taken (the node goes on without metrics): the meter provider goes too.
            await app.DisposeAsync();
            throw;
        }
        return new MetricsListener(app);
    }

    private static bool IsAnotherNodes(Instrument instrument, NnrpMeters meters) =>
        NnrpMeters.MeterNames.Contains(instrument.Meter.Name) && !meters.Owns(instrument.Meter);

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
