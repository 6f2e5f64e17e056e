using System.Globalization;
using System.Text;

namespace Nnrp.Cli.Tests;

/// <summary>
/// Reads a scrape of <c>/metrics</c> (Prometheus text format 0.0.4): one sample per line,
/// <c>name{label="value",…} value</c> or <c>name value</c>, <c># HELP</c> / <c># TYPE</c> comments
/// skipped, label values unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>). Shared by every suite that
/// reads a node's figures, so none depends on how an exporter spaces or orders its labels.
/// </summary>
public static class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static IReadOnlyList<Sample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<Sample>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length > 0 && line[0] != '#')
            {
                samples.Add(ParseLine(line));
            }
        }
        return samples;
    }

    /// <summary>The values of every sample of metric <paramref name="name"/>, whatever its labels.</summary>
    public static IEnumerable<double> Values(string text, string name) =>
        Parse(text).Where(s => s.Name == name).Select(s => s.Value);

    /// <summary>The one sample of <paramref name="name"/> with exactly the labels given; null when there is none.</summary>
    public static double? Value(string text, string name, params (string Name, string Value)[] labels) =>
        Parse(text).Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Name, out string? v) && v == l.Value))
            .Select(s => (double?)s.Value).SingleOrDefault();

    private static Sample ParseLine(string line)
    {
        int i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }
        string name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                string label = line[i..eq].Trim();
                i = eq + 2; // past ="
                var value = new StringBuilder();
                for (; line[i] != '"'; i++)
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }
                labels[label] = value.ToString();
                i++; // past the closing quote
                if (line[i] == ',')
                {
                    i++;
                }
            }
            i++; // past }
        }
        // The value, then an optional timestamp.
        string[] rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, number);
    }
}
