using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Nnrp.Http.Status;

namespace Nnrp.Http.StatusPage;

/// <summary>
/// NNRP.md §12 <c>GET /</c>: a self-contained HTML page of the node's status (embedded
/// <c>status.html</c>, <c>status.css</c>, <c>status.js</c>; nothing loaded from elsewhere). Every
/// value is rendered on the server, HTML-escaped, so the page reads without JavaScript; the
/// script then refreshes it from <c>/v1/status</c>. The Content-Security-Policy admits exactly the
/// embedded style and script (by SHA-256) and connections to this origin.
/// </summary>
internal static class NodePage
{
    public const string ContentType = "text/html; charset=utf-8";

    private static readonly string Template = Read("status.html");
    private static readonly string Style = Read("status.css");
    private static readonly string Script = Read("status.js");

    /// <summary>The page's Content-Security-Policy: its own style and script, fetches to its own origin, nothing else.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src '{Sha256(Style)}'; script-src '{Sha256(Script)}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static string Render(StatusBody status)
    {
        ArgumentNullException.ThrowIfNull(status);
        string now = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(status.Now, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        string shards = string.Join(", ", status.Shards.Select(s => $"{s.Bits}/{s.Index}"));
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["peer_id"] = Escape(status.PeerId),
            ["peer_id_short"] = Escape(status.PeerId.Length > 12 ? "…" + status.PeerId[^8..] : status.PeerId),
            ["agent"] = Escape(status.Agent),
            ["protocol_version"] = Number(status.ProtocolVersion),
            ["now_iso"] = Escape(now),
            ["stored"] = Number(status.Stored),
            ["store_bytes"] = Number(status.StoreBytes),
            ["shards"] = Escape(shards.Length > 0 ? shards : "none"),
            ["base_threshold"] = Escape(status.BaseThreshold),
            ["current_threshold"] = Escape(status.CurrentThreshold),
            ["connections"] = Number(status.Connections),
            ["known_peers"] = Number(status.KnownPeers),
            ["dht"] = Escape($"{(status.Dht.Ready ? "ready" : "bootstrapping")}, {status.Dht.RoutingTable} peers in the routing table"),
            ["sync"] = Escape($"{status.Sync.Sessions} sessions ({status.Sync.SessionsFailed} failed), {status.Sync.ItemsPulled} pulled, {status.Sync.ItemsOffered} offered{(status.Sync.Offering ? "" : ", not offering")}"),
            ["addresses"] = Items(status.Addresses),
            ["addrs"] = Items(status.Addrs),
            // Embedded resources, not data: inserted as they are (their hashes are in the CSP).
            ["style"] = Style,
            ["script"] = Script,
        };
        var page = new StringBuilder(Template.Length + 4096);
        int at = 0;
        while (at < Template.Length)
        {
            int open = Template.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }
            int close = Template.IndexOf("}}", open, StringComparison.Ordinal);
            page.Append(Template, at, open - at).Append(values[Template[(open + 2)..close]]);
            at = close + 2;
        }
        return page.Append(Template, at, Template.Length - at).ToString();
    }

    private static string Items(IReadOnlyList<string> values) => values.Count == 0
        ? "<li>none advertised</li>"
        : string.Concat(values.Select(v => "<li>" + Escape(v) + "</li>"));

    private static string Escape(string text) => HtmlEncoder.Default.Encode(text);

    private static string Number<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Sha256(string content) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private static string Read(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Nnrp.Http.StatusPage." + name)
            ?? throw new InvalidOperationException($"the embedded {name} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
