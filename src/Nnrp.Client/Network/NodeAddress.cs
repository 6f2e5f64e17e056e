using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Client.Network;

/// <summary>
/// A node to talk to: a libp2p multiaddr ending in <c>/p2p/&lt;peer id&gt;</c> (the Noise
/// handshake proves the node is who the address says, and receipts must be signed by that
/// peer), or the http(s) URL of a node's HTTP API (NNRP.md §12; the node's identity is then
/// learnt from its receipts).
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

    /// <summary>Parses a multiaddr with <c>/p2p/</c> or an http(s) URL.</summary>
    /// <exception cref="FormatException">neither.</exception>
    public static NodeAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(text, UriKind.Absolute, out Uri? url) ? new NodeAddress(url) : throw new FormatException($"{text} is not a URL");
        }
        return new NodeAddress(Multiaddr.Parse(text));
    }

    /// <summary>The multiaddr or URL text.</summary>
    public override string ToString() => Address?.ToString() ?? Url!.ToString();
}
