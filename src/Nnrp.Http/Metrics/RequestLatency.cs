using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Nnrp.Http.Metrics;

/// <summary>
/// Request latency per route as a Prometheus histogram (<c>nnrp_http_request_seconds</c>),
/// recorded by a middleware; lock-free counters so the hot path only increments.
/// </summary>
public sealed class RequestLatency : IMetricsSource
{
    private static readonly double[] s_bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly ConcurrentDictionary<(string Route, string Method), Series> _series = new();

    public async Task Middleware(HttpContext context, RequestDelegate next)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            string route = (context.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            _series.GetOrAdd((route, context.Request.Method), static _ => new Series()).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    public void Collect(PrometheusWriter writer)
    {
        foreach (((string route, string method), Series series) in _series)
        {
            series.Write(writer, route, method);
        }
    }

    private sealed class Series
    {
        private readonly long[] _buckets = new long[s_bounds.Length];
        private long _count;
        private long _sumMicros;

        public void Observe(double seconds)
        {
            int i = Array.FindIndex(s_bounds, b => seconds <= b);
            if (i >= 0)
            {
                Interlocked.Increment(ref _buckets[i]);
            }
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
        }

        public void Write(PrometheusWriter writer, string route, string method) =>
            writer.Histogram(
                "nnrp_http_request_seconds",
                "HTTP API request latency by route",
                s_bounds,
                _buckets.Select(b => Interlocked.Read(ref b)).ToArray(),
                Interlocked.Read(ref _count),
                Interlocked.Read(ref _sumMicros) / 1e6,
                ("route", route),
                ("method", method));
    }
}
