using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>What one AutoNAT v2 request to one server came to.</summary>
public enum ProbeOutcome
{
    /// <summary>The server dialed the address and delivered our nonce on the dial back (DialStatus OK, nonce checked).</summary>
    Dialable,

    /// <summary>The server could not connect to the address (E_DIAL_ERROR).</summary>
    NotDialable,

    /// <summary>The server was over a limit (E_REQUEST_REJECTED).</summary>
    Rejected,

    /// <summary>The server would dial none of the addresses (E_DIAL_REFUSED).</summary>
    Refused,

    /// <summary>The server asked for more dial data than we pay; we reset the stream.</summary>
    DialDataRefused,

    /// <summary>No verdict: E_INTERNAL_ERROR, E_DIAL_BACK_ERROR, a status we do not know, or "OK" without our nonce.</summary>
    NoVerdict,
}

/// <param name="Server">The peer asked.</param>
/// <param name="Outcome">What it said, as judged by us.</param>
/// <param name="Address">The address the server tested, when it tested one.</param>
public sealed record ProbeResult(PeerId Server, ProbeOutcome Outcome, Multiaddr? Address);
