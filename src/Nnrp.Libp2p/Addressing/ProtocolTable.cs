using System.Collections.Frozen;

namespace Nnrp.Libp2p.Addressing;

/// <summary>How a protocol's value is carried (protocols.csv "size" column) and printed.</summary>
internal enum ValueKind
{
    /// <summary>Size 0: the protocol has no value (<c>/tls</c>, <c>/ws</c>).</summary>
    None,

    /// <summary>32 bits: dotted quad.</summary>
    Ip4,

    /// <summary>128 bits: RFC 5952 text.</summary>
    Ip6,

    /// <summary>16 bits big-endian: decimal port.</summary>
    Port,

    /// <summary>8 bits: decimal prefix length (<c>/ipcidr</c>).</summary>
    PrefixLength,

    /// <summary>Size V: UTF-8 text without '/' (DNS names, zone ids, SNI).</summary>
    Text,

    /// <summary>Size V: a path that takes the rest of the text form (<c>/unix</c>).</summary>
    Path,

    /// <summary>Size V: a multihash, printed base58btc (<c>/p2p</c>).</summary>
    PeerId,

    /// <summary>Size V: a multihash, printed as multibase base64url (<c>/certhash</c>).</summary>
    Multihash,
}

internal sealed record ProtocolInfo(MultiaddrProtocol Protocol, string Name, ValueKind Kind)
{
    /// <summary>Byte length of a fixed-size value, or -1 for a length-prefixed one.</summary>
    public int FixedSize { get; } = Kind switch
    {
        ValueKind.None => 0,
        ValueKind.Ip4 => 4,
        ValueKind.Ip6 => 16,
        ValueKind.Port => 2,
        ValueKind.PrefixLength => 1,
        _ => -1,
    };

    public bool IsLengthPrefixed => FixedSize < 0;
}

/// <summary>The rows of multiformats/multiaddr protocols.csv this node understands.</summary>
internal static class ProtocolTable
{
    private static readonly ProtocolInfo[] Rows =
    [
        new(MultiaddrProtocol.Ip4, "ip4", ValueKind.Ip4),
        new(MultiaddrProtocol.Tcp, "tcp", ValueKind.Port),
        new(MultiaddrProtocol.Dccp, "dccp", ValueKind.Port),
        new(MultiaddrProtocol.Ip6, "ip6", ValueKind.Ip6),
        new(MultiaddrProtocol.Ip6Zone, "ip6zone", ValueKind.Text),
        new(MultiaddrProtocol.IpCidr, "ipcidr", ValueKind.PrefixLength),
        new(MultiaddrProtocol.Dns, "dns", ValueKind.Text),
        new(MultiaddrProtocol.Dns4, "dns4", ValueKind.Text),
        new(MultiaddrProtocol.Dns6, "dns6", ValueKind.Text),
        new(MultiaddrProtocol.Dnsaddr, "dnsaddr", ValueKind.Text),
        new(MultiaddrProtocol.Sctp, "sctp", ValueKind.Port),
        new(MultiaddrProtocol.Udp, "udp", ValueKind.Port),
        new(MultiaddrProtocol.WebRtcDirect, "webrtc-direct", ValueKind.None),
        new(MultiaddrProtocol.WebRtc, "webrtc", ValueKind.None),
        new(MultiaddrProtocol.P2pCircuit, "p2p-circuit", ValueKind.None),
        new(MultiaddrProtocol.Udt, "udt", ValueKind.None),
        new(MultiaddrProtocol.Utp, "utp", ValueKind.None),
        new(MultiaddrProtocol.Unix, "unix", ValueKind.Path),
        new(MultiaddrProtocol.P2p, "p2p", ValueKind.PeerId),
        new(MultiaddrProtocol.Https, "https", ValueKind.None),
        new(MultiaddrProtocol.Tls, "tls", ValueKind.None),
        new(MultiaddrProtocol.Sni, "sni", ValueKind.Text),
        new(MultiaddrProtocol.Noise, "noise", ValueKind.None),
        new(MultiaddrProtocol.Quic, "quic", ValueKind.None),
        new(MultiaddrProtocol.QuicV1, "quic-v1", ValueKind.None),
        new(MultiaddrProtocol.WebTransport, "webtransport", ValueKind.None),
        new(MultiaddrProtocol.Certhash, "certhash", ValueKind.Multihash),
        new(MultiaddrProtocol.Ws, "ws", ValueKind.None),
        new(MultiaddrProtocol.Wss, "wss", ValueKind.None),
        new(MultiaddrProtocol.Http, "http", ValueKind.None),
    ];

    private static readonly FrozenDictionary<int, ProtocolInfo> ByCode =
        Rows.ToFrozenDictionary(r => (int)r.Protocol);

    // protocols.csv: "421, V, ipfs, backwards compatibility; equivalent to /p2p".
    private static readonly FrozenDictionary<string, ProtocolInfo>.AlternateLookup<ReadOnlySpan<char>> ByName =
        Rows.Select(r => KeyValuePair.Create(r.Name, r))
            .Append(KeyValuePair.Create("ipfs", ByCode[(int)MultiaddrProtocol.P2p]))
            .ToFrozenDictionary(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool TryGet(ulong code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProtocolInfo? info)
    {
        info = null;
        return code <= int.MaxValue && ByCode.TryGetValue((int)code, out info);
    }

    public static bool TryGet(ReadOnlySpan<char> name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProtocolInfo? info) =>
        ByName.TryGetValue(name, out info);

    public static ProtocolInfo Get(MultiaddrProtocol protocol) =>
        ByCode.TryGetValue((int)protocol, out ProtocolInfo? info)
            ? info
            : throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "not a known multiaddr protocol");
}
