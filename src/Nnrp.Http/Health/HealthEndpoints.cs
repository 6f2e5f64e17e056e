using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nnrp.Http.Health;

/// <summary>
/// <c>GET /health/live</c> and <c>GET /health/ready</c> (the checks tagged <see cref="HealthTags.Live"/>
/// and <see cref="HealthTags.Ready"/>): 200 when every check passes, else 503, with each check's
/// status in JSON. <c>GET /healthz</c>, the endpoint from before them, is liveness with its old
/// answer: 200 <c>{"status": "ok"}</c>, else a 503 problem with reason <c>internal</c>.
/// </summary>
internal static class HealthEndpoints
{
    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";

    public const string LegacyPath = "/healthz";

    public static void Map(WebApplication app)
    {
        app.MapHealthChecks(LivePath, Options(HealthTags.Live, WriteAsync));
        app.MapHealthChecks(ReadyPath, Options(HealthTags.Ready, WriteAsync));
        app.MapHealthChecks(LegacyPath, Options(HealthTags.Live, WriteLegacyAsync));
    }

    private static HealthCheckOptions Options(string tag, Func<HttpContext, HealthReport, Task> writer) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = writer,
    };

    /// <summary><c>{"status": "healthy", "checks": {"store": {"status": "healthy"}, "dht": {"status": "unhealthy", "description": "…"}}}</c>.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", Word(report.Status));
        json.WriteStartObject("checks");
        foreach ((string name, HealthReportEntry entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Word(entry.Status));
            // Descriptions are the checks' own fixed sentences; exception text never leaves the node.
            if (entry.Description is { } description)
            {
                json.WriteString("description", description);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteLegacyAsync(HttpContext context, HealthReport report)
    {
        if (report.Status == HealthStatus.Unhealthy)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "internal", StoreHealthCheck.Unavailable);
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"ok"}""", context.RequestAborted);
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
