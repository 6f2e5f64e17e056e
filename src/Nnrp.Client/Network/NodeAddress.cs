using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Client.Network;

/// <summary>
/// A node to talk to: a libp2p multiaddr that ends in <c>/p2p/&lt;peer id&gt;</c>, so the
/// Noise handshake proves the node is who the address says and receipts can be tied to it.
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

    /// <summary>The full multiaddr, with <c>/p2p/</c>.</summary>
    public Multiaddr Address { get; }

    /// <summary>The node's identity.</summary>
    public PeerId Peer { get; }

    /// <summary>Parses a multiaddr string with <c>/p2p/</c>.</summary>
    /// <exception cref="FormatException">not a multiaddr, or no <c>/p2p/</c>.</exception>
    public static NodeAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new NodeAddress(Multiaddr.Parse(text.Trim()));
    }

    /// <summary>The multiaddr text.</summary>
    public override string ToString() => Address.ToString();
}
