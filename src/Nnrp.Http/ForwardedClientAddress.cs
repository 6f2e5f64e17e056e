using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nnrp.Http;

/// <summary>
/// The client address every per-client rule of the API uses (rate limits, fetch budget;
/// NNRP.md §12): the TCP peer, unless that peer is a configured proxy, in which case the
/// forwarding headers are read from the right (the hop nearest to us) past every trusted
/// proxy, and the first address not trusted is the client. <c>Forwarded</c> (RFC 7239
/// <c>for=</c>) wins over <c>X-Forwarded-For</c>. Headers from anyone else are ignored, so a
/// client cannot choose its own rate-limit bucket. ASP.NET Core's ForwardedHeaders middleware
/// reads only the X- headers, hence this.
/// The request's scheme follows the same walk, as ASP.NET Core's middleware and nginx's realip
/// do: the protocol the client used towards the outermost trusted proxy (<c>proto=</c> of the
/// element that named the client, or the <c>X-Forwarded-Proto</c> entry in the same position
/// from the right), so <c>Request.IsHttps</c> is true behind a TLS-terminating proxy. Only
/// <c>http</c> and <c>https</c> are taken; the Host header is never rewritten.
/// </summary>
internal sealed class ForwardedClientAddress
{
    /// <summary>Hops read from a forwarding header at most; a longer chain is cut there.</summary>
    private const int MaxHops = 16;

    private readonly IPNetwork[] _trusted;

    public ForwardedClientAddress(IReadOnlyList<string> trustedProxies)
    {
        _trusted = [.. trustedProxies.Select(Parse)];
    }

    /// <summary>An address (<c>10.0.0.5</c>, <c>::1</c>) or a network (<c>10.0.0.0/8</c>).</summary>
    /// <exception cref="FormatException">neither.</exception>
    public static IPNetwork Parse(string proxy)
    {
        if (IPNetwork.TryParse(proxy, out IPNetwork network))
        {
            return network;
        }
        if (IPAddress.TryParse(proxy, out IPAddress? address))
        {
            address = Normalize(address);
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new FormatException($"'{proxy}' is not an IP address or network");
    }

    /// <summary>Middleware: replaces <c>Connection.RemoteIpAddress</c> with the client behind trusted proxies.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_trusted.Length > 0 && context.Connection.RemoteIpAddress is { } peer)
        {
            (IPAddress client, string? scheme) = Resolve(Normalize(peer), context.Request.Headers);
            context.Connection.RemoteIpAddress = client;
            if (scheme is not null)
            {
                context.Request.Scheme = scheme;
            }
        }
        await next(context);
    }

    /// <summary>The client and, when a trusted proxy said so, the scheme it used (null: the connection's own).</summary>
    internal (IPAddress Client, string? Scheme) Resolve(IPAddress peer, IHeaderDictionary headers)
    {
        if (!IsTrusted(peer))
        {
            return (peer, null);
        }
        List<Hop> hops = headers.TryGetValue("Forwarded", out var forwarded) && forwarded.Count > 0
            ? ForwardedFor(forwarded)
            : XForwardedFor(headers["X-Forwarded-For"], headers["X-Forwarded-Proto"]);
        IPAddress client = peer;
        string? scheme = null;
        for (int i = hops.Count - 1; i >= 0 && IsTrusted(client); i--)
        {
            client = hops[i].Address;
            scheme = hops[i].Scheme ?? scheme;
        }
        return (client, scheme);
    }

    /// <summary>One forwarding hop: the address it names and the scheme used towards the proxy that wrote it (if said).</summary>
    private readonly record struct Hop(IPAddress Address, string? Scheme);

    private bool IsTrusted(IPAddress address) => _trusted.Any(n => n.Contains(address));

    /// <summary>X-Forwarded-For, with X-Forwarded-Proto entries matched to it from the right (a proxy appends one of each).</summary>
    private static List<Hop> XForwardedFor(Microsoft.Extensions.Primitives.StringValues values, Microsoft.Extensions.Primitives.StringValues protos)
    {
        var hops = new List<Hop>();
        foreach (string item in Items(values))
        {
            AddHop(hops, item, null);
        }
        List<string> schemes = Items(protos);
        for (int i = 0; i < Math.Min(hops.Count, schemes.Count); i++)
        {
            int hop = hops.Count - 1 - i;
            hops[hop] = hops[hop] with { Scheme = Scheme(schemes[^(i + 1)]) };
        }
        return hops;
    }

    private static List<string> Items(Microsoft.Extensions.Primitives.StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TakeLast(MaxHops)];

    private static string? Scheme(string value) => value.Trim('"').ToLowerInvariant() switch
    {
        "http" => "http",
        "https" => "https",
        _ => null,
    };

    /// <summary>RFC 7239: <c>Forwarded: for=192.0.2.43, for="[2001:db8::1]:4711";proto=https</c>.</summary>
    private static List<Hop> ForwardedFor(Microsoft.Extensions.Primitives.StringValues values)
    {
        var hops = new List<Hop>();
        foreach (string? value in values)
        {
            foreach (string element in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string? node = null, scheme = null;
                foreach (string pair in element.Split(';', StringSplitOptions.TrimEntries))
                {
                    if (pair.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
                    {
                        node = pair[4..].Trim('"');
                    }
                    else if (pair.StartsWith("proto=", StringComparison.OrdinalIgnoreCase))
                    {
                        scheme = Scheme(pair[6..]);
                    }
                }
                if (node is not null)
                {
                    AddHop(hops, node, scheme);
                }
            }
        }
        return hops;
    }

    /// <summary>
    /// One hop: an address, <c>[v6]:port</c> or <c>v4:port</c>. An obfuscated or unknown node
    /// (<c>unknown</c>, <c>_hidden</c>) is kept as the unspecified address, so it stops the walk
    /// and every such client shares one bucket instead of escaping the limits.
    /// </summary>
    private static void AddHop(List<Hop> hops, string item, string? scheme)
    {
        if (hops.Count >= MaxHops)
        {
            hops.RemoveAt(0);
        }
        string host = item;
        if (host.StartsWith('['))
        {
            int end = host.IndexOf(']', StringComparison.Ordinal);
            host = end > 0 ? host[1..end] : host;
        }
        else if (host.Count(c => c == ':') == 1)
        {
            host = host[..host.IndexOf(':', StringComparison.Ordinal)];
        }
        hops.Add(new Hop(IPAddress.TryParse(host, out IPAddress? address) ? Normalize(address) : IPAddress.IPv6None, scheme));
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
