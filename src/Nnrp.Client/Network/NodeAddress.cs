using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Protocol.Doors;

namespace Nnrp.Client.Network;

/// <summary>
/// A node to talk to: a libp2p multiaddr ending in <c>/p2p/&lt;peer id&gt;</c> (the Noise
/// handshake proves the node is who the address says, and receipts must be signed by that
/// peer), or the http(s) URL of a node's HTTP API (NNRP.md §12; the node's identity is then
/// learnt from its receipts). An HTTP API may also be written as its multiaddr, as relay hints
/// and peer records carry it (§10.3): <c>/ip4/203.0.113.5/tcp/8080/http</c> is
/// <c>http://203.0.113.5:8080/</c>, <c>/dns4/node.example.org/tcp/443/tls/http</c> (or <c>/https</c>)
/// is <c>https://node.example.org/</c>; a final <c>/p2p/</c> there is ignored.
/// </summary>
public sealed record NodeAddress
{
    /// <summary>A node at <paramref name="address"/>, which must carry <c>/p2p/</c>.</summary>
    /// <exception cref="FormatException">no <c>/p2p/</c> component.</exception>
    public NodeAddress(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.PeerIdMultihash is not { } id)
        {
            throw new FormatException($"{address} has no /p2p/<peer id>; a node address must name the node");
        }
        Address = address;
        Peer = PeerId.FromBytes(id.Span);
    }

    /// <summary>A node's HTTP API at <paramref name="url"/> (http or https).</summary>
    /// <exception cref="FormatException">not an absolute http(s) URL.</exception>
    public NodeAddress(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"{url} is not an http:// or https:// URL");
        }
        Url = url;
    }

    /// <summary>The libp2p multiaddr with <c>/p2p/</c>; null for an HTTP node.</summary>
    public Multiaddr? Address { get; }

    /// <summary>The node's identity when known from its address; null for an HTTP node.</summary>
    public PeerId? Peer { get; }

    /// <summary>The HTTP API base URL; null for a libp2p node.</summary>
    public Uri? Url { get; }

    /// <summary>What makes two addresses the same node before any answer: the peer id, or the URL.</summary>
    public string Key => Peer?.ToString() ?? Url!.AbsoluteUri;

    /// <summary>Parses a multiaddr with <c>/p2p/</c>, an HTTP(S) API multiaddr, or an http(s) URL.</summary>
    /// <exception cref="FormatException">none of them.</exception>
    public static NodeAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(text, UriKind.Absolute, out Uri? url) ? new NodeAddress(url) : throw new FormatException($"{text} is not a URL");
        }
        return From(Multiaddr.Parse(text));
    }

    /// <summary>An HTTP(S) API multiaddr as its URL, any other multiaddr as a libp2p node (which must carry <c>/p2p/</c>).</summary>
    /// <exception cref="FormatException">a libp2p multiaddr without <c>/p2p/</c>.</exception>
    public static NodeAddress From(Multiaddr address) =>
        HttpDoorAddress.TryGetUrl(address, out Uri? url) ? new NodeAddress(url) : new NodeAddress(address);

    /// <summary>The multiaddr or URL text.</summary>
    public override string ToString() => Address?.ToString() ?? Url!.ToString();
}
