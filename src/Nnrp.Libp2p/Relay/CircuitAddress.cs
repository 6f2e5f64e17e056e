using System.Diagnostics.CodeAnalysis;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// A relayed address <c>&lt;relay address&gt;/p2p/&lt;relay&gt;/p2p-circuit/p2p/&lt;destination&gt;</c>
/// (libp2p/specs relay/circuit-v2.md "Interaction", addressing/README.md "Circuit relay
/// addresses"): the part before <c>/p2p-circuit</c> reaches the relay, the one after names the peer.
/// </summary>
public sealed record CircuitAddress(Multiaddr Relay, PeerId RelayPeer, PeerId? Destination)
{
    /// <summary>Whether <paramref name="address"/> goes through a relay at all.</summary>
    public static bool IsCircuit(Multiaddr address) =>
        address.Components.Any(static c => c.Protocol == MultiaddrProtocol.P2pCircuit);

    /// <summary>
    /// Splits at the one <c>/p2p-circuit</c>; the relay part must end in <c>/p2p/&lt;relay&gt;</c>,
    /// after it only <c>/p2p/&lt;destination&gt;</c> may follow. Relay chains are not followed.
    /// </summary>
    public static bool TryParse(Multiaddr address, [NotNullWhen(true)] out CircuitAddress? result)
    {
        ArgumentNullException.ThrowIfNull(address);
        result = null;
        IReadOnlyList<MultiaddrComponent> c = address.Components;
        int at = -1;
        for (int i = 0; i < c.Count; i++)
        {
            if (c[i].Protocol == MultiaddrProtocol.P2pCircuit)
            {
                if (at >= 0)
                {
                    return false;
                }
                at = i;
            }
        }
        int tail = c.Count - at - 1;
        if (at < 1 || c[at - 1].Protocol != MultiaddrProtocol.P2p || tail > 1
            || (tail == 1 && c[^1].Protocol != MultiaddrProtocol.P2p))
        {
            return false;
        }
        if (!PeerId.TryFromBytes(c[at - 1].Value.Span, out PeerId? relay))
        {
            return false;
        }
        PeerId? destination = null;
        if (tail == 1 && !PeerId.TryFromBytes(c[^1].Value.Span, out destination))
        {
            return false;
        }
        result = new CircuitAddress(Multiaddr.FromComponents(c.Take(at)), relay, destination);
        return true;
    }

    /// <summary><c>&lt;relay&gt;/p2p-circuit</c> without the destination: the remote address of a relayed connection.</summary>
    public Multiaddr ToRelayedAddress() => Relay.Encapsulate(Multiaddr.Parse("/p2p-circuit"));

    /// <summary>The address a peer advertises for itself through the relay at <paramref name="relay"/> (with <c>/p2p/&lt;relay&gt;</c>).</summary>
    public static Multiaddr For(Multiaddr relay, PeerId self) =>
        relay.Encapsulate(Multiaddr.Parse("/p2p-circuit")).WithPeerIdMultihash(self.Bytes.Span);
}
