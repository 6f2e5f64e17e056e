using System.Net;

namespace Nnrp.Libp2p.ConnectionManager;

/// <summary>
/// An inbound connection admitted by <see cref="ConnectionGater.TryBeginInbound"/> (or
/// <see cref="ConnectionGater.TryBeginRelayedInbound"/>) and still
/// in its handshake: what <see cref="ConnectionGater.EndPending"/> releases, and what the gater
/// aborts when a newcomer from a less crowded subnet needs its slot.
/// </summary>
public sealed class PendingHandshake
{
    internal PendingHandshake(IPAddress? remote, AddressGroup group, bool exempt, Action abort)
    {
        Remote = remote;
        Group = group;
        Exempt = exempt;
        Abort = abort;
    }

    /// <summary>The peer's own address; null for a relayed connection, whose socket address is the relay's.</summary>
    public IPAddress? Remote { get; }

    public bool Relayed => Remote is null;

    /// <summary>Set once the slot is released (handshake over, or displaced); a second release does nothing.</summary>
    public bool Ended { get; internal set; }

    internal AddressGroup Group { get; }

    internal bool Exempt { get; }

    internal Action Abort { get; }
}
