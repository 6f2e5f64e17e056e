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
            context.Connection.RemoteIpAddress = Resolve(Normalize(peer), context.Request.Headers);
        }
        await next(context);
    }

    internal IPAddress Resolve(IPAddress peer, IHeaderDictionary headers)
    {
        if (!IsTrusted(peer))
        {
            return peer;
        }
        List<IPAddress> hops = headers.TryGetValue("Forwarded", out var forwarded) && forwarded.Count > 0
            ? ForwardedFor(forwarded)
            : XForwardedFor(headers["X-Forwarded-For"]);
        IPAddress client = peer;
        for (int i = hops.Count - 1; i >= 0 && IsTrusted(client); i--)
        {
            client = hops[i];
        }
        return client;
    }

    private bool IsTrusted(IPAddress address) => _trusted.Any(n => n.Contains(address));

    private static List<IPAddress> XForwardedFor(Microsoft.Extensions.Primitives.StringValues values)
    {
        var hops = new List<IPAddress>();
        foreach (string? value in values)
        {
            foreach (string item in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                AddHop(hops, item);
            }
        }
        return hops;
    }

    /// <summary>RFC 7239: <c>Forwarded: for=192.0.2.43, for="[2001:db8::1]:4711";proto=https</c>.</summary>
    private static List<IPAddress> ForwardedFor(Microsoft.Extensions.Primitives.StringValues values)
    {
        var hops = new List<IPAddress>();
        foreach (string? value in values)
        {
            foreach (string element in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (string pair in element.Split(';', StringSplitOptions.TrimEntries))
                {
                    if (pair.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
                    {
                        AddHop(hops, pair[4..].Trim('"'));
                    }
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
    private static void AddHop(List<IPAddress> hops, string item)
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
        hops.Add(IPAddress.TryParse(host, out IPAddress? address) ? Normalize(address) : IPAddress.IPv6None);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
