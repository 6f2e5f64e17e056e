using System.Globalization;
using System.Text;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// The <c>bootstrap-peers.txt</c> format (issue 3 §6): one multiaddr per line, each ending in
/// <c>/p2p/&lt;peer id&gt;</c>; <c>#</c> starts a comment (whole line or trailing); blank lines
/// are ignored. The saved routing table uses the same format, so either file seeds a start.
/// </summary>
public static class BootstrapPeers
{
    /// <summary>A bootstrap file is small; anything larger is a mistake, not a peer list.</summary>
    public const int MaxLines = 10_000;

    /// <summary>Parses the text; a bad line is an error naming its line number.</summary>
    public static IReadOnlyList<Multiaddr> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var peers = new List<Multiaddr>();
        int lineNumber = 0;
        foreach (ReadOnlySpan<char> raw in text.AsSpan().EnumerateLines())
        {
            if (++lineNumber > MaxLines)
            {
                throw new FormatException($"bootstrap list has more than {MaxLines} lines");
            }
            ReadOnlySpan<char> line = raw;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }
            line = line.Trim();
            if (line.IsEmpty)
            {
                continue;
            }
            peers.Add(ParseEntry(line.ToString(), lineNumber));
        }
        return peers;
    }

    /// <summary>Reads a file; a missing file is an empty list (a node may run without one).</summary>
    public static async Task<IReadOnlyList<Multiaddr>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        string text = await File.ReadAllTextAsync(path, cancellationToken);
        try
        {
            return Parse(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses one <c>--bootstrap</c> option value.</summary>
    public static Multiaddr ParseEntry(string text, int lineNumber = 0)
    {
        string where = lineNumber > 0 ? string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: ") : string.Empty;
        if (!Multiaddr.TryParse(text, out Multiaddr? address))
        {
            throw new FormatException($"{where}'{text}' is not a multiaddr");
        }
        if (address.PeerIdMultihash is null)
        {
            throw new FormatException($"{where}'{text}' has no /p2p/<peer id> component");
        }
        return address;
    }

    /// <summary>Writes the list in the same format, with a header comment.</summary>
    public static string Format(IEnumerable<Multiaddr> peers, string header)
    {
        var text = new StringBuilder();
        foreach (string line in header.Split('\n'))
        {
            text.Append("# ").Append(line.TrimEnd()).Append('\n');
        }
        foreach (Multiaddr peer in peers)
        {
            text.Append(peer.ToString()).Append('\n');
        }
        return text.ToString();
    }
}
