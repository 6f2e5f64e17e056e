using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;

namespace Nnrp.Protocol.Doors;

/// <summary>
/// An HTTP API's base URL as a multiaddr and back (NNRP.md §10.3 relay hints, §12 browser
/// doors), the forms libp2p's HTTP spec and js <c>@multiformats/multiaddr-to-uri</c> use:
/// <code>
///   http://203.0.113.5:8080        ⇄  /ip4/203.0.113.5/tcp/8080/http
///   https://[2001:db8::1]:8443     ⇄  /ip6/2001:db8::1/tcp/8443/tls/http
///   https://node.example.org       ⇄  /dns4/node.example.org/tcp/443/tls/http
/// </code>
/// A host name is written <c>/dns4</c> (what wallets and the issue's examples use; the browser
/// resolves either family); <c>/dns</c>, <c>/dns6</c> and <c>/https</c> are read as well. An API
/// behind a path (<c>https://host/nnrp/</c>) has no multiaddr form here (http-path is not in the
/// supported table), so such a URL is refused rather than silently shortened.
/// </summary>
public static class HttpDoorAddress
{
    /// <summary>The multiaddr of an http(s) base URL.</summary>
    /// <exception cref="FormatException">not an absolute http(s) URL of a host and port alone (no path, query, fragment or user info).</exception>
    public static Multiaddr FromUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"{url} is not an http:// or https:// URL");
        }
        if (url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            throw new FormatException($"{url}: a node's HTTP address is a scheme, host and port only (no path, query or user info)");
        }
        string host = url.HostNameType switch
        {
            UriHostNameType.IPv4 => "/ip4/" + url.Host,
            UriHostNameType.IPv6 => "/ip6/" + IPAddress.Parse(url.Host.Trim('[', ']')).ToString(),
            UriHostNameType.Dns => "/dns4/" + url.IdnHost,
            _ => throw new FormatException($"{url}: '{url.Host}' is not an IP address or DNS name"),
        };
        string port = url.Port.ToString(CultureInfo.InvariantCulture);
        return Multiaddr.Parse($"{host}/tcp/{port}/{(url.Scheme == "https" ? "tls/http" : "http")}");
    }

    /// <summary>Parses a URL (<c>https://…</c>) or a multiaddr (<c>/dns4/…/tcp/443/tls/http</c>) of an HTTP API.</summary>
    /// <exception cref="FormatException">neither, or a multiaddr that is not an HTTP(S) door.</exception>
    public static Multiaddr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (!text.StartsWith('/'))
        {
            return Uri.TryCreate(text, UriKind.Absolute, out Uri? url) ? FromUrl(url) : throw new FormatException($"'{text}' is not a URL or multiaddr");
        }
        Multiaddr address = Multiaddr.Parse(text);
        return TryGetUrl(address, out _) ? address : throw new FormatException($"{text} is not an HTTP(S) address (/…/tcp/<port>/http or /…/tcp/<port>/tls/http)");
    }

    /// <summary>The base URL of an HTTP(S) door multiaddr (a final <c>/p2p</c> is ignored); false for any other address.</summary>
    public static bool TryGetUrl(Multiaddr address, [NotNullWhen(true)] out Uri? url)
    {
        ArgumentNullException.ThrowIfNull(address);
        url = null;
        DoorKind kind = BrowserDoors.KindOf(address);
        if (kind is not (DoorKind.Http or DoorKind.Https))
        {
            return false;
        }
        IReadOnlyList<MultiaddrComponent> c = address.WithoutPeerId().Components;
        string host = c[0].ValueString;
        if (c[0].Protocol == MultiaddrProtocol.Ip6)
        {
            host = "[" + host + "]";
        }
        ReadOnlySpan<byte> port = c[1].Value.Span;
        var builder = new UriBuilder(kind == DoorKind.Https ? "https" : "http", host, (port[0] << 8) | port[1]);
        return Uri.TryCreate(builder.Uri.GetLeftPart(UriPartial.Authority) + "/", UriKind.Absolute, out url);
    }

    /// <summary>
    /// The multiaddrs of a server's bound URL (<c>http://0.0.0.0:8080</c>, <c>https://[::]:8443</c>):
    /// a wildcard host becomes this machine's interface addresses of its family, as libp2p listen
    /// addresses do (<see cref="Libp2pHost.AdvertisedAddresses"/>); a named host (<c>localhost</c>) stays a name.
    /// </summary>
    /// <exception cref="FormatException">not an http(s) URL.</exception>
    public static IReadOnlyList<Multiaddr> FromBoundUrl(string bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        // Kestrel reports wildcards as http://[::]:port, http://0.0.0.0:port, or http://+:port / *:port.
        string text = bound.Replace("://+:", "://[::]:", StringComparison.Ordinal).Replace("://*:", "://[::]:", StringComparison.Ordinal);
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"'{bound}' is not an http(s) URL");
        }
        if (url.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6))
        {
            return [FromUrl(new Uri(url.GetLeftPart(UriPartial.Authority) + "/"))];
        }
        var endpoint = new IPEndPoint(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port);
        Multiaddr door = Multiaddr.Parse(url.Scheme == "https" ? "/tls/http" : "/http");
        return Libp2pHost.AdvertisedAddresses([Multiaddr.FromIPEndPoint(endpoint)], []).Select(a => a.Encapsulate(door)).ToArray();
    }
}
