using System.Net;
using System.Net.Sockets;

namespace Nnrp.Libp2p.ConnectionManager;

/// <summary>
/// Where an inbound connection comes from, at the two granularities the per-address limits
/// count (NNRP.md §14.1): the host (an IPv4 address, or the /64 an IPv6 host is given) and its
/// subnet (IPv4 /24, IPv6 /48 — what one customer or one rented server range usually holds).
/// IPv4-mapped IPv6 addresses count as the IPv4 address.
/// </summary>
public readonly record struct AddressGroup(IPAddress Host, IPAddress Subnet)
{
    /// <summary>IPv4: one address; IPv6: a /64, the smallest network a host is normally given.</summary>
    public const int Ipv6HostPrefix = 64;

    public const int Ipv4SubnetPrefix = 24;

    public const int Ipv6SubnetPrefix = 48;

    public static AddressGroup Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetwork
            ? new AddressGroup(address, Truncate(address, Ipv4SubnetPrefix))
            : new AddressGroup(Truncate(address, Ipv6HostPrefix), Truncate(address, Ipv6SubnetPrefix));
    }

    private static IPAddress Truncate(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        bytes = bytes[..length];
        int whole = prefix / 8;
        if (whole < length)
        {
            bytes[whole] &= (byte)(0xff << (8 - (prefix % 8)));
            bytes[(whole + 1)..].Clear();
        }
        return new IPAddress(bytes);
    }
}
