using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nnrp.Node.Metrics;

namespace Nnrp.Http.Metrics;

/// <summary>
/// Request latency per route and method as a histogram on the node's <c>Nnrp.Http</c> meter,
/// recorded by a middleware: instrument <c>nnrp.http.request</c> in seconds, scraped as
/// <c>nnrp_http_request_seconds</c> (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>).
/// </summary>
public sealed class RequestLatency
{
    /// <summary>1 ms … 2.5 s: the API answers from memory or one store read, so most requests sit in the first buckets.</summary>
    private static readonly double[] s_bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly Histogram<double> _seconds;

    public RequestLatency(NnrpMeters meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _seconds = meters.Create(NnrpMeters.HttpMeterName).CreateHistogram(
            "nnrp.http.request", "s", "HTTP API request latency by route",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_bounds });
    }

    public async Task Middleware(HttpContext context, RequestDelegate next)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            _seconds.Record(Stopwatch.GetElapsedTime(start).TotalSeconds,
                new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("method", context.Request.Method));
        }
    }
}
