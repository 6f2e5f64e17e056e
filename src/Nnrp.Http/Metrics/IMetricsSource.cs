namespace Nnrp.Http.Metrics;

/// <summary>A part of the node that reports its figures on <c>GET /metrics</c>.</summary>
public interface IMetricsSource
{
    void Collect(PrometheusWriter writer);
}
