using System.Globalization;
using System.Text;

namespace Nnrp.Http.Metrics;

/// <summary>
/// Prometheus text exposition format 0.0.4: <c># HELP</c>, <c># TYPE</c>, then samples.
/// Label values are escaped per the format (backslash, quote, newline).
/// </summary>
public sealed class PrometheusWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _described = new(StringComparer.Ordinal);

    public void Counter(string name, string help, double value, params (string Name, string Value)[] labels) =>
        Sample(name, "counter", help, value, labels);

    public void Gauge(string name, string help, double value, params (string Name, string Value)[] labels) =>
        Sample(name, "gauge", help, value, labels);

    /// <summary>A cumulative histogram: <paramref name="bucketCounts"/>[i] counts observations ≤ <paramref name="bounds"/>[i].</summary>
    public void Histogram(string name, string help, IReadOnlyList<double> bounds, IReadOnlyList<long> bucketCounts, long count, double sum, params (string Name, string Value)[] labels)
    {
        Describe(name, "histogram", help);
        long cumulative = 0;
        for (int i = 0; i < bounds.Count; i++)
        {
            cumulative += bucketCounts[i];
            Line(name + "_bucket", cumulative, [.. labels, ("le", Format(bounds[i]))]);
        }
        Line(name + "_bucket", count, [.. labels, ("le", "+Inf")]);
        Line(name + "_sum", sum, labels);
        Line(name + "_count", count, labels);
    }

    public override string ToString() => _text.ToString();

    private void Sample(string name, string type, string help, double value, (string Name, string Value)[] labels)
    {
        Describe(name, type, help);
        Line(name, value, labels);
    }

    private void Describe(string name, string type, string help)
    {
        if (_described.Add(name))
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }
    }

    private void Line(string name, double value, (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }
                _text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
