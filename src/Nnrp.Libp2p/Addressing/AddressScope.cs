using System.Net;

namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// Where the first component of an address points: loopback, a private or special-purpose
/// range, or the public internet. Ranges come from the IANA special-purpose registries
/// (RFC 6890 and its updates); Kad and identify use this to keep private addresses out of
/// what they announce to the world.
/// </summary>
internal static class AddressScope
{
    private readonly record struct Prefix(byte[] Bytes, int Length);

    /// <summary>IPv4 ranges that are not globally reachable unicast.</summary>
    private static readonly Prefix[] NonPublicV4 =
    [
        new([0, 0, 0, 0], 8),          // RFC 1122 "this network"
        new([10, 0, 0, 0], 8),         // RFC 1918
        new([100, 64, 0, 0], 10),      // RFC 6598 carrier-grade NAT
        new([127, 0, 0, 0], 8),        // RFC 1122 loopback
        new([169, 254, 0, 0], 16),     // RFC 3927 link-local
        new([172, 16, 0, 0], 12),      // RFC 1918
        new([192, 0, 0, 0], 24),       // RFC 6890 IETF protocol assignments
        new([192, 0, 2, 0], 24),       // RFC 5737 TEST-NET-1
        new([192, 168, 0, 0], 16),     // RFC 1918
        new([198, 18, 0, 0], 15),      // RFC 2544 benchmarking
        new([198, 51, 100, 0], 24),    // RFC 5737 TEST-NET-2
        new([203, 0, 113, 0], 24),     // RFC 5737 TEST-NET-3
        new([224, 0, 0, 0], 4),        // RFC 5771 multicast
        new([240, 0, 0, 0], 4),        // RFC 1112 reserved, and 255.255.255.255 broadcast
    ];

    /// <summary>IPv6 ranges that are not globally reachable unicast.</summary>
    private static readonly Prefix[] NonPublicV6 =
    [
        new(new byte[16], 127),                                           // ::/128 and ::1/128 (RFC 4291)
        new([0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 64),  // RFC 6666 discard
        new([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32), // RFC 3849 documentation
        new([0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7),      // RFC 4193 unique local
        new([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10),  // RFC 4291 link-local
        new([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8),      // RFC 4291 multicast
    ];

    public static bool IsLoopback(in MultiaddrComponent first) => first.Protocol switch
    {
        MultiaddrProtocol.Ip4 => first.Value.Span[0] == 127,
        MultiaddrProtocol.Ip6 => IsLoopbackV6(first.Value.Span),
        MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6 => IsLocalhostName(first.ValueString),
        _ => false,
    };

    public static bool IsPubliclyRoutable(in MultiaddrComponent first) => first.Protocol switch
    {
        MultiaddrProtocol.Ip4 => !Matches(NonPublicV4, first.Value.Span),
        MultiaddrProtocol.Ip6 => IsPublicV6(first.Value.Span),
        MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6 or MultiaddrProtocol.Dnsaddr =>
            !IsLocalhostName(first.ValueString) && !IsMulticastDnsName(first.ValueString),
        _ => false,
    };

    private static bool IsLoopbackV6(ReadOnlySpan<byte> ip) =>
        ip.SequenceEqual(IPAddress.IPv6Loopback.GetAddressBytes()) || (IsV4Mapped(ip) && ip[12] == 127);

    private static bool IsPublicV6(ReadOnlySpan<byte> ip) =>
        IsV4Mapped(ip) ? !Matches(NonPublicV4, ip[12..]) : !Matches(NonPublicV6, ip);

    // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d carries an IPv4 address.
    private static bool IsV4Mapped(ReadOnlySpan<byte> ip) =>
        ip[..10].IndexOfAnyExcept((byte)0) < 0 && ip[10] == 0xff && ip[11] == 0xff;

    // RFC 6761 §6.3: "localhost." and names under it resolve to loopback.
    private static bool IsLocalhostName(string name)
    {
        ReadOnlySpan<char> n = name.AsSpan().TrimEnd('.');
        return n.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    // RFC 6762 §3: ".local." names are link-local multicast DNS names.
    private static bool IsMulticastDnsName(string name) =>
        name.AsSpan().TrimEnd('.').EndsWith(".local", StringComparison.OrdinalIgnoreCase);

    private static bool Matches(Prefix[] prefixes, ReadOnlySpan<byte> ip)
    {
        foreach (Prefix prefix in prefixes)
        {
            int whole = prefix.Length / 8, rest = prefix.Length % 8;
            if (!ip[..whole].SequenceEqual(prefix.Bytes.AsSpan(0, whole)))
            {
                continue;
            }
            int mask = (0xff00 >> rest) & 0xff;
            if (rest == 0 || (ip[whole] & mask) == (prefix.Bytes[whole] & mask))
            {
                return true;
            }
        }
        return false;
    }
}
