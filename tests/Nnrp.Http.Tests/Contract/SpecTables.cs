namespace Nnrp.Http.Tests.Contract;

/// <summary>
/// The machine-read tables of NNRP.md §12: a markdown table between
/// <c>&lt;!-- nnrp:&lt;name&gt;:begin --&gt;</c> and <c>&lt;!-- nnrp:&lt;name&gt;:end --&gt;</c>, read as rows of
/// cells (header and separator dropped, backticks stripped).
/// </summary>
internal static class SpecTables
{
    /// <summary>The spec in the repository this test was built from (found upward from the test's folder).</summary>
    public static string SpecPath { get; } = FindSpec();

    public static IReadOnlyList<string[]> Read(string name) => Parse(File.ReadAllText(SpecPath), name);

    public static IReadOnlyList<string[]> Parse(string markdown, string name)
    {
        string begin = $"<!-- nnrp:{name}:begin -->";
        string end = $"<!-- nnrp:{name}:end -->";
        int from = markdown.IndexOf(begin, StringComparison.Ordinal);
        int to = markdown.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            throw new InvalidDataException($"NNRP.md has no table between '{begin}' and '{end}'");
        }
        string[] lines = markdown[(from + begin.Length)..to].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rows = new List<string[]>();
        int width = -1;
        foreach (string line in lines.Skip(2))
        {
            if (!line.StartsWith('|') || !line.EndsWith('|'))
            {
                throw new InvalidDataException($"not a table row inside the {name} table: '{line}'");
            }
            string[] cells = [.. line[1..^1].Split('|').Select(cell => cell.Trim().Replace("`", "", StringComparison.Ordinal))];
            width = width < 0 ? cells.Length : width;
            if (cells.Length != width)
            {
                throw new InvalidDataException($"row of {cells.Length} cells in a table of {width}: '{line}'");
            }
            rows.Add(cells);
        }
        return rows;
    }

    /// <summary>"202, 200" → {202, 200}.</summary>
    public static IReadOnlySet<int> Codes(string cell) =>
        cell.Length == 0 ? new HashSet<int>() : cell.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse).ToHashSet();

    private static string FindSpec()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "protocols", "NNRP.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("protocols/NNRP.md not found above " + AppContext.BaseDirectory);
    }
}
