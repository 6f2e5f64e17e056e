using System.Diagnostics.CodeAnalysis;
using System.Net;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.ConnectionManager;

/// <summary>
/// Admission of connections (NNRP.md §14.1 "Connection limits"), as bookkeeping with no I/O:
/// <code>
///   accept ──TryBeginInbound──► pending ──EndPending──► (handshake done) ──TryAddInbound──► inbound
///                 │ refused: reset before any work                         │ refused: closed
///   dial ───HasOutboundRoom──► (handshake) ──AddOutbound──► outbound            Remove ◄── closed
/// </code>
/// At accept, before a byte is read: the pending table (total, per host, per subnet), the
/// per-host and per-subnet caps counting pending and established inbound together, and the
/// inbound slots (all but the outbound reserve). After the handshake, with the peer known:
/// the per-peer cap and the same slot and address caps again. Outbound dials only need a
/// free slot: the reserve is theirs and inbound may never take it. Addresses in
/// <see cref="ConnectionLimits.ExemptNetworks"/> skip the per-host and per-subnet caps.
/// <para>
/// A relayed connection (a circuit through a relay that holds our reservation, §14.4) has no
/// address of its own: the socket's address is the relay's, and counting it there would let
/// 8 circuits through one relay lock out every other peer behind that relay, and let relayed
/// handshakes crowd direct ones from the relay's subnet. Relayed connections therefore skip
/// the address caps and have a bucket of their own instead:
/// <see cref="ConnectionLimits.MaxPendingRelayedInbound"/> handshakes, outside the pending
/// table, and <see cref="ConnectionLimits.MaxRelayedInbound"/> in all; they still take inbound
/// slots and the per-peer cap applies once the peer is known.
/// </para>
/// </summary>
public sealed class ConnectionGater(ConnectionLimits limits)
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _pendingByHost = [];
    private readonly Dictionary<IPAddress, int> _pendingBySubnet = [];
    private readonly Dictionary<IPAddress, int> _inboundByHost = [];
    private readonly Dictionary<IPAddress, int> _inboundBySubnet = [];
    private readonly Dictionary<PeerId, int> _byPeer = [];
    private readonly List<PendingHandshake> _pendingList = [];
    private int _inbound;
    private int _outbound;
    private int _relayedPending;
    private int _relayedInbound;

    public ConnectionLimits Limits => limits;

    /// <summary>Inbound connections still handshaking.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pendingList.Count;
            }
        }
    }

    public int Inbound
    {
        get
        {
            lock (_gate)
            {
                return _inbound;
            }
        }
    }

    /// <summary>Established inbound connections that came through a relay.</summary>
    public int RelayedInbound
    {
        get
        {
            lock (_gate)
            {
                return _relayedInbound;
            }
        }
    }

    public int Outbound
    {
        get
        {
            lock (_gate)
            {
                return _outbound;
            }
        }
    }

    public int Established
    {
        get
        {
            lock (_gate)
            {
                return _inbound + _outbound;
            }
        }
    }

    /// <summary>A dial may proceed: fewer than <see cref="ConnectionLimits.MaxConnections"/> are established.</summary>
    public bool HasOutboundRoom
    {
        get
        {
            lock (_gate)
            {
                return _inbound + _outbound < limits.MaxConnections;
            }
        }
    }

    public bool IsExempt(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (IPNetwork network in limits.ExemptNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// At accept, before any handshake work: takes a pending slot for <paramref name="remote"/>,
    /// or says why not. Every admitted connection must later call <see cref="EndPending"/>.
    /// When the pending table is full, a newcomer whose subnet holds fewer pending handshakes
    /// than the most crowded subnet (by two or more) takes the slot of that subnet's oldest
    /// handshake, which is aborted through its <paramref name="abort"/>: idle sockets spread over
    /// a few subnets cannot keep everyone else out.
    /// </summary>
    public bool TryBeginInbound(IPAddress remote, Action abort, [NotNullWhen(true)] out PendingHandshake? handshake, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(abort);
        bool exempt = IsExempt(remote);
        AddressGroup group = AddressGroup.Of(remote);
        PendingHandshake? displaced = null;
        lock (_gate)
        {
            handshake = null;
            refusal =
                _inbound + _pendingList.Count + _relayedPending >= limits.MaxInbound ? $"inbound connection limit {limits.MaxInbound} reached" :
                exempt ? null :
                Count(_pendingByHost, group.Host) >= limits.MaxPendingInboundPerIp ? $"per-address pending handshake limit {limits.MaxPendingInboundPerIp} reached" :
                Count(_pendingBySubnet, group.Subnet) >= limits.MaxPendingInboundPerSubnet ? $"per-subnet pending handshake limit {limits.MaxPendingInboundPerSubnet} reached" :
                AddressRefusal(group);
            if (refusal is null && _pendingList.Count >= limits.MaxPendingInbound)
            {
                displaced = Displaceable(exempt ? 0 : Count(_pendingBySubnet, group.Subnet));
                if (displaced is null)
                {
                    refusal = $"pending handshake limit {limits.MaxPendingInbound} reached";
                }
                else
                {
                    Release(displaced);
                }
            }
            if (refusal is not null)
            {
                return false;
            }
            handshake = new PendingHandshake(remote, group, exempt, abort);
            _pendingList.Add(handshake);
            if (!exempt)
            {
                Increment(_pendingByHost, group.Host);
                Increment(_pendingBySubnet, group.Subnet);
            }
        }
        displaced?.Abort();
        return true;
    }

    /// <summary>
    /// At the stop of a relayed circuit, before any handshake work: takes one of the relayed
    /// pending slots, or says why not. Never displaces a direct handshake and is never displaced.
    /// </summary>
    public bool TryBeginRelayedInbound(Action abort, [NotNullWhen(true)] out PendingHandshake? handshake, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(abort);
        lock (_gate)
        {
            handshake = null;
            refusal =
                _inbound + _pendingList.Count + _relayedPending >= limits.MaxInbound ? $"inbound connection limit {limits.MaxInbound} reached" :
                _relayedPending >= limits.MaxPendingRelayedInbound ? $"relayed pending handshake limit {limits.MaxPendingRelayedInbound} reached" :
                _relayedPending + _relayedInbound >= limits.MaxRelayedInbound ? $"relayed connection limit {limits.MaxRelayedInbound} reached" :
                null;
            if (refusal is not null)
            {
                return false;
            }
            handshake = new PendingHandshake(null, default, exempt: false, abort);
            _relayedPending++;
            return true;
        }
    }

    /// <summary>The handshake of a connection admitted by <see cref="TryBeginInbound"/> or <see cref="TryBeginRelayedInbound"/> ended, either way.</summary>
    public void EndPending(PendingHandshake handshake)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        lock (_gate)
        {
            Release(handshake);
        }
    }

    /// <summary>Under the lock: the oldest handshake of the most crowded subnet, if it holds at least two more than <paramref name="newcomerSubnet"/>.</summary>
    private PendingHandshake? Displaceable(int newcomerSubnet)
    {
        if (_pendingBySubnet.Count == 0)
        {
            return null;
        }
        KeyValuePair<IPAddress, int> crowded = _pendingBySubnet.MaxBy(static kv => kv.Value);
        return crowded.Value >= newcomerSubnet + 2
            ? _pendingList.First(h => !h.Exempt && h.Group.Subnet.Equals(crowded.Key))
            : null;
    }

    /// <summary>Under the lock: frees a pending slot once.</summary>
    private void Release(PendingHandshake handshake)
    {
        if (handshake.Ended)
        {
            return;
        }
        handshake.Ended = true;
        if (handshake.Relayed)
        {
            _relayedPending--;
            return;
        }
        _pendingList.Remove(handshake);
        if (!handshake.Exempt)
        {
            Decrement(_pendingByHost, handshake.Group.Host);
            Decrement(_pendingBySubnet, handshake.Group.Subnet);
        }
    }

    /// <summary>
    /// After the handshake (its pending slot already ended): counts an established inbound
    /// connection from <paramref name="peer"/> at <paramref name="remote"/> (null: relayed, as
    /// admitted by <see cref="TryBeginRelayedInbound"/>), or says why not.
    /// </summary>
    public bool TryAddInbound(IPAddress? remote, PeerId peer, [NotNullWhen(false)] out string? refusal)
    {
        bool relayed = remote is null;
        bool exempt = !relayed && IsExempt(remote!);
        AddressGroup group = relayed ? default : AddressGroup.Of(remote!);
        lock (_gate)
        {
            refusal =
                _inbound >= limits.MaxInbound ? $"inbound connection limit {limits.MaxInbound} reached" :
                _inbound + _outbound >= limits.MaxConnections ? $"connection limit {limits.MaxConnections} reached" :
                Count(_byPeer, peer) >= limits.MaxConnectionsPerPeer ? $"per-peer limit {limits.MaxConnectionsPerPeer} reached" :
                relayed ? (_relayedInbound >= limits.MaxRelayedInbound ? $"relayed connection limit {limits.MaxRelayedInbound} reached" : null) :
                exempt ? null :
                AddressRefusal(group);
            if (refusal is not null)
            {
                return false;
            }
            _inbound++;
            Increment(_byPeer, peer);
            if (relayed)
            {
                _relayedInbound++;
            }
            else if (!exempt)
            {
                Increment(_inboundByHost, group.Host);
                Increment(_inboundBySubnet, group.Subnet);
            }
            return true;
        }
    }

    /// <summary>Counts an established outbound connection. Dials are ours: no address caps apply.</summary>
    public void AddOutbound(PeerId peer)
    {
        lock (_gate)
        {
            _outbound++;
            Increment(_byPeer, peer);
        }
    }

    /// <summary>
    /// An established connection (counted by <see cref="TryAddInbound"/> or <see cref="AddOutbound"/>) closed;
    /// <paramref name="relayed"/> as it was admitted (<paramref name="remote"/> is then ignored).
    /// </summary>
    public void Remove(IPAddress? remote, PeerId peer, ConnectionDirection direction, bool relayed = false)
    {
        lock (_gate)
        {
            Decrement(_byPeer, peer);
            if (direction == ConnectionDirection.Outbound)
            {
                _outbound--;
                return;
            }
            _inbound--;
            if (relayed)
            {
                _relayedInbound--;
            }
            else if (remote is not null && !IsExempt(remote))
            {
                AddressGroup group = AddressGroup.Of(remote);
                Decrement(_inboundByHost, group.Host);
                Decrement(_inboundBySubnet, group.Subnet);
            }
        }
    }

    /// <summary>Under the lock: the per-host and per-subnet caps, counting pending and established inbound together.</summary>
    private string? AddressRefusal(AddressGroup group) =>
        Count(_pendingByHost, group.Host) + Count(_inboundByHost, group.Host) >= limits.MaxInboundPerIp ? $"per-address connection limit {limits.MaxInboundPerIp} reached" :
        Count(_pendingBySubnet, group.Subnet) + Count(_inboundBySubnet, group.Subnet) >= limits.MaxInboundPerSubnet ? $"per-subnet connection limit {limits.MaxInboundPerSubnet} reached" :
        null;

    private static int Count<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull => counts.GetValueOrDefault(key);

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull => counts[key] = counts.GetValueOrDefault(key) + 1;

    // Entries at zero are removed, so the maps hold only live addresses and peers.
    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
    {
        int left = counts.GetValueOrDefault(key) - 1;
        if (left > 0)
        {
            counts[key] = left;
        }
        else
        {
            counts.Remove(key);
        }
    }
}
