using System.Globalization;

namespace Nnrp.Cli.Commands;

/// <summary>
/// "label  value" lines on stdout: one field per line, never wrapped, so a script can read
/// them with <c>awk '$1 == "uri" {print $2}'</c> whatever the terminal width.
/// </summary>
internal sealed class Fields
{
    private readonly List<(string Label, string Value)> _rows = [];

    public Fields Add(string label, string value)
    {
        _rows.Add((label, value));
        return this;
    }

    public Fields Add(string label, ulong value) => Add(label, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Unix seconds as ISO 8601 UTC (clamped to year 9999).</summary>
    public static string Utc(ulong seconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(seconds, 253_402_300_799UL)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public void Write()
    {
        int width = _rows.Count == 0 ? 0 : _rows.Max(r => r.Label.Length) + 2;
        foreach ((string label, string value) in _rows)
        {
            Console.WriteLine(label.PadRight(width) + value);
        }
    }
}
