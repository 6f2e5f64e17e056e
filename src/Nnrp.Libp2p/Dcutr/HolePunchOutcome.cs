using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>How a hole punch ended.</summary>
/// <param name="Peer">The peer on the other end of the relayed connection.</param>
/// <param name="Initiator">We received the relayed connection and ran the upgrade (the spec's B).</param>
/// <param name="Direct">The direct connection now used, or null when the punch failed.</param>
/// <param name="Attempts">CONNECT/SYNC rounds run (0 when the unilateral dial did it, or nothing was tried).</param>
/// <param name="Reason">Why it failed; null on success.</param>
public sealed record HolePunchOutcome(PeerId Peer, bool Initiator, Connection? Direct, int Attempts, string? Reason)
{
    public bool Succeeded => Direct is not null;
}

public sealed class HolePunchEventArgs(HolePunchOutcome outcome) : EventArgs
{
    public HolePunchOutcome Outcome { get; } = outcome;
}
