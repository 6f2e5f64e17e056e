using System.Net;

namespace Nnrp.Libp2p.Host;

/// <summary>
/// Connection manager limits (NNRP.md §14.1 "Connection limits"; go-libp2p's resource manager
/// and connmgr play this role, and their defaults are the guide). The defaults suit a public
/// relay node beside a Nano node: a few hundred peers, each on one or two connections, no
/// stranger allowed to hold a half-open handshake for long, and no address or subnet allowed
/// to fill the table. See <c>src/Nnrp.Libp2p/ConnectionManager/README.md</c>.
/// </summary>
public sealed record ConnectionLimits
{
    /// <summary>Established connections, both directions; nothing is added beyond it.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>
    /// Connection slots inbound connections may never take (go-libp2p keeps separate inbound
    /// and outbound budgets, ConnsInbound 64 of Conns 128): an outbound dial — bootstrap,
    /// Kad, sync, gossip — always finds room. Null: an eighth of <see cref="MaxConnections"/>.
    /// </summary>
    public int? ReservedOutboundSlots { get; init; }

    /// <summary>
    /// Above this many established connections the trimmer closes the least valuable ones
    /// down to <see cref="LowWater"/>. Null: three quarters of <see cref="MaxConnections"/>
    /// (192 of 256; go-libp2p's default connmgr runs 160/192).
    /// </summary>
    public int? HighWater { get; init; }

    /// <summary>Where trimming stops. Null: five eighths of <see cref="MaxConnections"/> (160 of 256).</summary>
    public int? LowWater { get; init; }

    /// <summary>
    /// A new connection is never trimmed in its first <see cref="GracePeriod"/> (go-libp2p:
    /// 1 minute), so a peer has time to identify, join the mesh or enter the routing table.
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most one trim per this interval, however many connections arrive (go-libp2p's silence period).</summary>
    public TimeSpan TrimInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections to one peer; simultaneous dials make two legitimate.</summary>
    public int MaxConnectionsPerPeer { get; init; } = 4;

    /// <summary>
    /// Inbound connections (pending and established) from one IPv4 address or one IPv6 /64
    /// (go-libp2p: 8 per IPv4 address and per IPv6 /56).
    /// </summary>
    public int MaxInboundPerIp { get; init; } = 8;

    /// <summary>Inbound connections (pending and established) from one IPv4 /24 or one IPv6 /48.</summary>
    public int MaxInboundPerSubnet { get; init; } = 32;

    /// <summary>Inbound connections still in the security or muxer handshake, in total.</summary>
    public int MaxPendingInbound { get; init; } = 64;

    /// <summary>Pending inbound handshakes from one IPv4 address or one IPv6 /64.</summary>
    public int MaxPendingInboundPerIp { get; init; } = 4;

    /// <summary>Pending inbound handshakes from one IPv4 /24 or one IPv6 /48.</summary>
    public int MaxPendingInboundPerSubnet { get; init; } = 16;

    /// <summary>
    /// Inbound connections through relays (NNRP.md §14.4), pending and established: their own
    /// bucket, not the relay's address caps (a NATed node is reached by all its peers through a
    /// few relays). Relays bound each circuit's time and bytes, and DCUtR (§14.6) replaces it
    /// with a direct connection, so a NATed node needs room for its peers' first contact, not
    /// for all of them at once.
    /// </summary>
    public int MaxRelayedInbound { get; init; } = 64;

    /// <summary>Relayed inbound handshakes at once, outside <see cref="MaxPendingInbound"/>.</summary>
    public int MaxPendingRelayedInbound { get; init; } = 8;

    /// <summary>
    /// Addresses the per-IP and per-subnet limits do not apply to (go-libp2p's network prefix
    /// limits). Empty for a public node: every door faces the open internet, and a local
    /// proxy would otherwise make every peer behind it unlimited. A private network (a LAN
    /// or loopback testnet, where many nodes share one address) lists its ranges here.
    /// </summary>
    public IReadOnlyList<IPNetwork> ExemptNetworks { get; init; } = [];

    /// <summary>127.0.0.0/8 and ::1: what in-process test networks on one machine exempt.</summary>
    public static IReadOnlyList<IPNetwork> LoopbackNetworks { get; } = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    /// <summary>
    /// The whole inbound upgrade — multistream-select, Noise XX, multistream-select for the
    /// muxer — end to end, and the same for dials. It takes about five round trips, under
    /// 2 s on a 300 ms intercontinental path; 5 s leaves room for a slow link while an idle
    /// socket holds a pending slot half as long as go-libp2p's 15 s accept timeout.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Protocol negotiation on a new stream, either side.</summary>
    public TimeSpan StreamNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Concurrent inbound streams of one protocol from one peer, over all its connections;
    /// one more is reset (go-libp2p's per-protocol-per-peer scope allows 64 + a bit). 256
    /// keeps a busy wallet's 128 pipelined publishes well inside it while one peer cannot take
    /// a whole session's 512 streams for one protocol.
    /// </summary>
    public int MaxInboundStreamsPerProtocol { get; init; } = 256;

    /// <summary>Per-protocol overrides of <see cref="MaxInboundStreamsPerProtocol"/>.</summary>
    public IReadOnlyDictionary<string, int> InboundStreamsPerProtocol { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>How long a graceful shutdown waits for stream handlers before aborting.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Slots kept for outbound dials, resolved.</summary>
    public int OutboundReserve => Math.Clamp(ReservedOutboundSlots ?? MaxConnections / 8, 0, MaxConnections);

    /// <summary>The most established inbound connections: every slot but the outbound reserve.</summary>
    public int MaxInbound => MaxConnections - OutboundReserve;

    /// <summary><see cref="HighWater"/>, resolved.</summary>
    public int EffectiveHighWater => Math.Max(1, HighWater ?? MaxConnections * 3 / 4);

    /// <summary><see cref="LowWater"/>, resolved and never above the high watermark.</summary>
    public int EffectiveLowWater => Math.Min(LowWater ?? MaxConnections * 5 / 8, EffectiveHighWater);

    /// <summary>The stream cap of <paramref name="protocol"/>.</summary>
    public int InboundStreamLimit(string protocol) =>
        InboundStreamsPerProtocol.TryGetValue(protocol, out int limit) ? limit : MaxInboundStreamsPerProtocol;
}
