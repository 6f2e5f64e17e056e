using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Relay;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>
/// Which addresses a hole punch sends and dials (NNRP.md §14.6). Both lists leave out relayed
/// addresses (the point is to get off the relay), addresses no transport dials (the HTTP doors),
/// the unspecified and multicast addresses, and — off a private network — loopback and private
/// ones. Dialed addresses must also be IP addresses: a name could point anywhere, and a peer's
/// observed address is always an IP address. At most <see cref="DcutrCodec.MaxAddresses"/> each.
/// </summary>
internal static class HolePunchAddresses
{
    /// <summary>What our CONNECT carries: our advertised addresses, then what peers observed us at; without <c>/p2p</c>.</summary>
    public static IReadOnlyList<Multiaddr> ToSend(IEnumerable<Multiaddr> advertised, IEnumerable<Multiaddr> observed, bool allowPrivate, Func<Multiaddr, bool> canDial) =>
        advertised.Concat(observed)
            .Select(static a => a.WithoutPeerId())
            .Where(a => IsCandidate(a, allowPrivate, canDial))
            .Distinct()
            .Take(DcutrCodec.MaxAddresses)
            .ToArray();

    /// <summary>
    /// What we dial of the addresses <paramref name="peer"/> offered (its CONNECT, or its
    /// identify listen addresses for the unilateral upgrade), each ending in <c>/p2p/&lt;peer&gt;</c>
    /// so that only the peer itself completes the handshake.
    /// </summary>
    public static IReadOnlyList<Multiaddr> ToDial(IEnumerable<Multiaddr> offered, PeerId peer, bool allowPrivate, Func<Multiaddr, bool> canDial) =>
        offered.Take(DcutrCodec.MaxAddresses)
            .Where(a => a.PeerIdMultihash is null || a.PeerIdMultihash.Value.Span.SequenceEqual(peer.Bytes.Span))
            .Select(static a => a.WithoutPeerId())
            .Where(a => a.TryGetIPEndPoint(out _) && IsCandidate(a, allowPrivate, canDial))
            .Distinct()
            .Select(a => a.WithPeerIdMultihash(peer.Bytes.Span))
            .ToArray();

    private static bool IsCandidate(Multiaddr address, bool allowPrivate, Func<Multiaddr, bool> canDial) =>
        !CircuitAddress.IsCircuit(address) && KadAddresses.IsUsable(address, allowPrivate) && canDial(address);
}
