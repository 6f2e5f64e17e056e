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

    public void Write()
    {
        int width = _rows.Count == 0 ? 0 : _rows.Max(r => r.Label.Length) + 2;
        foreach ((string label, string value) in _rows)
        {
            Console.WriteLine(label.PadRight(width) + value);
        }
    }
}
