using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// Which addresses the DHT stores and passes on (issue 3 "refuse records for peers whose
/// addresses are unroutable garbage"). An address must start with an IP or DNS component;
/// the unspecified address (0.0.0.0, ::) and multicast are never dialable. Loopback and
/// private ranges are kept only when the DHT runs on a private network or loopback testnet.
/// </summary>
internal static class KadAddresses
{
    public static bool IsUsable(Multiaddr address, bool allowPrivate)
    {
        if (address.Components.Count == 0)
        {
            return false;
        }
        MultiaddrComponent first = address.Components[0];
        switch (first.Protocol)
        {
            case MultiaddrProtocol.Ip4:
            case MultiaddrProtocol.Ip6:
                ReadOnlySpan<byte> ip = first.Value.Span;
                if (ip.IndexOfAnyExcept((byte)0) < 0 || IsMulticast(first.Protocol, ip))
                {
                    return false;
                }
                break;
            case MultiaddrProtocol.Dns:
            case MultiaddrProtocol.Dns4:
            case MultiaddrProtocol.Dns6:
            case MultiaddrProtocol.Dnsaddr:
                break;
            default:
                return false;
        }
        return allowPrivate || address.IsPubliclyRoutable;
    }

    /// <summary>
    /// The network a connection comes from, for the per-network provider slots of NNRP.md §14.2:
    /// its IPv4 /24 or IPv6 /48 as a number. Null for anything not publicly routable (loopback
    /// and private addresses appear only on private networks, where hosts share such ranges).
    /// </summary>
    public static ulong? SubnetOf(Multiaddr? address)
    {
        if (address is null || address.Components.Count == 0 || !address.IsPubliclyRoutable)
        {
            return null;
        }
        MultiaddrComponent first = address.Components[0];
        ReadOnlySpan<byte> ip = first.Value.Span;
        return first.Protocol switch
        {
            MultiaddrProtocol.Ip4 => 4UL << 56 | (ulong)ip[0] << 16 | (ulong)ip[1] << 8 | ip[2],
            MultiaddrProtocol.Ip6 => 6UL << 56 | (ulong)ip[0] << 40 | (ulong)ip[1] << 32 | (ulong)ip[2] << 24 | (ulong)ip[3] << 16 | (ulong)ip[4] << 8 | ip[5],
            _ => null,
        };
    }

    // RFC 5771 (224.0.0.0/4) and RFC 4291 §2.7 (ff00::/8).
    private static bool IsMulticast(MultiaddrProtocol protocol, ReadOnlySpan<byte> ip) =>
        protocol == MultiaddrProtocol.Ip4 ? (ip[0] & 0xf0) == 0xe0 : ip[0] == 0xff;
}
