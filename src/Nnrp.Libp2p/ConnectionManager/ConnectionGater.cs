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
/// </summary>
public sealed class ConnectionGater(ConnectionLimits limits)
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _pendingByHost = [];
    private readonly Dictionary<IPAddress, int> _pendingBySubnet = [];
    private readonly Dictionary<IPAddress, int> _inboundByHost = [];
    private readonly Dictionary<IPAddress, int> _inboundBySubnet = [];
    private readonly Dictionary<PeerId, int> _byPeer = [];
    private int _pending;
    private int _inbound;
    private int _outbound;

    public ConnectionLimits Limits => limits;

    /// <summary>Inbound connections still handshaking.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
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
    /// </summary>
    public bool TryBeginInbound(IPAddress remote, [NotNullWhen(false)] out string? refusal)
    {
        bool exempt = IsExempt(remote);
        AddressGroup group = AddressGroup.Of(remote);
        lock (_gate)
        {
            refusal =
                _pending >= limits.MaxPendingInbound ? $"pending handshake limit {limits.MaxPendingInbound} reached" :
                _inbound + _pending >= limits.MaxInbound ? $"inbound connection limit {limits.MaxInbound} reached" :
                exempt ? null :
                Count(_pendingByHost, group.Host) >= limits.MaxPendingInboundPerIp ? $"per-address pending handshake limit {limits.MaxPendingInboundPerIp} reached" :
                Count(_pendingBySubnet, group.Subnet) >= limits.MaxPendingInboundPerSubnet ? $"per-subnet pending handshake limit {limits.MaxPendingInboundPerSubnet} reached" :
                AddressRefusal(group);
            if (refusal is not null)
            {
                return false;
            }
            _pending++;
            if (!exempt)
            {
                Increment(_pendingByHost, group.Host);
                Increment(_pendingBySubnet, group.Subnet);
            }
            return true;
        }
    }

    /// <summary>The handshake of a connection admitted by <see cref="TryBeginInbound"/> ended, either way.</summary>
    public void EndPending(IPAddress remote)
    {
        bool exempt = IsExempt(remote);
        AddressGroup group = AddressGroup.Of(remote);
        lock (_gate)
        {
            _pending--;
            if (!exempt)
            {
                Decrement(_pendingByHost, group.Host);
                Decrement(_pendingBySubnet, group.Subnet);
            }
        }
    }

    /// <summary>
    /// After the handshake (its pending slot already ended): counts an established inbound
    /// connection from <paramref name="peer"/> at <paramref name="remote"/>, or says why not.
    /// </summary>
    public bool TryAddInbound(IPAddress remote, PeerId peer, [NotNullWhen(false)] out string? refusal)
    {
        bool exempt = IsExempt(remote);
        AddressGroup group = AddressGroup.Of(remote);
        lock (_gate)
        {
            refusal =
                _inbound >= limits.MaxInbound ? $"inbound connection limit {limits.MaxInbound} reached" :
                _inbound + _outbound >= limits.MaxConnections ? $"connection limit {limits.MaxConnections} reached" :
                Count(_byPeer, peer) >= limits.MaxConnectionsPerPeer ? $"per-peer limit {limits.MaxConnectionsPerPeer} reached" :
                exempt ? null :
                AddressRefusal(group);
            if (refusal is not null)
            {
                return false;
            }
            _inbound++;
            Increment(_byPeer, peer);
            if (!exempt)
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

    /// <summary>An established connection (counted by <see cref="TryAddInbound"/> or <see cref="AddOutbound"/>) closed.</summary>
    public void Remove(IPAddress? remote, PeerId peer, ConnectionDirection direction)
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
            if (remote is not null && !IsExempt(remote))
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
