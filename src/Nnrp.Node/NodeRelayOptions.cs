using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Relay;

namespace Nnrp.Node;

/// <summary>NNRP.md §14.4: circuit relay v2, as a relay for others and as a client behind NAT.</summary>
public sealed record NodeRelayOptions
{
    /// <summary>
    /// What an NNRP node grants when it relays: go/js limits except 4 MiB per direction (not
    /// 128 KiB), so that a wallet's full fetch page (up to 2 MiB, §11.5) fits in one circuit.
    /// </summary>
    public static RelayServiceOptions NodeServiceDefaults { get; } = new() { CircuitDataLimit = 4L * 1024 * 1024 };

    /// <summary>
    /// What a node grants when it relays because it found itself public (<see cref="ServeWhenPublic"/>,
    /// on by default): go/js limits, 128 KiB per direction and 2 min per circuit, so relaying
    /// for others costs an operator who never asked for it at most 64 circuits × 256 KiB per
    /// 2 min (about 140 KB/s). Wallets fetch through such a relay in pages that fit (§14.4).
    /// </summary>
    public static RelayServiceOptions WhenPublicDefaults { get; } = new();

    /// <summary>Serve the hop protocol (act as a relay) always, with these limits; null: see <see cref="ServeWhenPublic"/>.</summary>
    public RelayServiceOptions? Service { get; init; }

    /// <summary>
    /// Without <see cref="Service"/>: serve hop with <see cref="WhenPublicDefaults"/> while
    /// AutoNAT finds the node publicly dialable, and stop when it no longer is (go-libp2p's
    /// relay service does the same), so nodes behind NAT find relays among public nodes.
    /// </summary>
    public bool ServeWhenPublic { get; init; } = true;

    /// <summary>
    /// While the node is not publicly dialable (AutoNAT says Private, or it listens on
    /// nothing), hold reservations on this many peers that serve hop, chosen among the peers
    /// it meets (<see cref="AutoRelay"/>); 0 turns that off, leaving only <see cref="Reserve"/>.
    /// </summary>
    public int AutoRelays { get; init; } = new AutoRelayOptions().Relays;

    /// <summary>Relays (each with <c>/p2p/&lt;id&gt;</c>) to keep a reservation on and advertise <c>/p2p-circuit</c> addresses through.</summary>
    public IReadOnlyList<Multiaddr> Reserve { get; init; } = [];
}
