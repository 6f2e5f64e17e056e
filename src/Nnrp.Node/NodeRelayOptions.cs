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

    /// <summary>Serve the hop protocol (act as a relay); null: not a relay. Only a publicly dialable node should.</summary>
    public RelayServiceOptions? Service { get; init; }

    /// <summary>Relays (each with <c>/p2p/&lt;id&gt;</c>) to keep a reservation on and advertise <c>/p2p-circuit</c> addresses through.</summary>
    public IReadOnlyList<Multiaddr> Reserve { get; init; } = [];
}
