using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Identify;

/// <summary>What a peer told us about itself over identify (or identify push).</summary>
public sealed record IdentifyResult(
    PeerId Peer,
    string? AgentVersion,
    string? ProtocolVersion,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<Multiaddr> ListenAddresses,
    Multiaddr? ObservedAddress);

public sealed class PeerIdentifiedEventArgs(IdentifyResult result) : EventArgs
{
    public IdentifyResult Result { get; } = result;
}
