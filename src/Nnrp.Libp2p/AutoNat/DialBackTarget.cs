using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>
/// Which requested address a server dials (spec: "the server SHOULD use the first address it is
/// willing to dial … MUST NOT dial any address other than this one").
/// </summary>
internal static class DialBackTarget
{
    /// <summary>
    /// The index of the first address worth a dial, or -1: it parses, names an IP (no DNS: a
    /// name could point anywhere and a lookup costs us), a transport we dial, no other peer than
    /// the requester, is not unspecified or multicast, is public unless private addresses are
    /// allowed, and is of an address family we can reach (spec: IPv4-only servers SHOULD refuse
    /// IPv6 addresses and vice versa).
    /// </summary>
    public static int Select(
        IReadOnlyList<ByteString> requested,
        PeerId requester,
        bool allowPrivate,
        Func<AddressFamily, bool> hasFamily,
        Func<Multiaddr, bool> canDial,
        out Multiaddr? selected)
    {
        int count = Math.Min(requested.Count, AutoNatCodec.MaxAddressesPerRequest);
        for (int i = 0; i < count; i++)
        {
            if (!Multiaddr.TryFromBytes(requested[i].Span, out Multiaddr? address) || address is null)
            {
                continue;
            }
            if (address.PeerIdMultihash is { } id && !id.Span.SequenceEqual(requester.Bytes.Span))
            {
                continue;
            }
            Multiaddr bare = address.WithoutPeerId();
            if (!bare.TryGetIPEndPoint(out IPEndPoint? ip) || ip is null || ip.Port == 0
                || !hasFamily(ip.AddressFamily)
                || !KadAddresses.IsUsable(bare, allowPrivate)
                || !canDial(bare))
            {
                continue;
            }
            selected = bare;
            return i;
        }
        selected = null;
        return -1;
    }
}
