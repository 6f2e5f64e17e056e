using System.Collections.Concurrent;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Host;

/// <summary>What the host knows of a peer: where to dial it and what identify told us.</summary>
public sealed record PeerInfo(
    PeerId Id,
    IReadOnlyList<Multiaddr> Addresses,
    IReadOnlyList<string> Protocols,
    string? AgentVersion,
    string? ProtocolVersion,
    DateTimeOffset LastSeen);

/// <summary>
/// An in-memory address book, bounded in every dimension because most of what fills it comes
/// from strangers (identify answers, Kad replies). The whole map is capped; when full, the
/// peer seen longest ago goes, as go-libp2p's peerstore garbage-collects stale entries.
/// </summary>
public sealed class PeerStore
{
    public const int DefaultMaxPeers = 10_000;

    /// <summary>go-libp2p's identify keeps at most this many listen addresses per peer.</summary>
    public const int MaxAddressesPerPeer = 32;

    public const int MaxProtocolsPerPeer = 128;

    private readonly ConcurrentDictionary<PeerId, PeerInfo> _peers = new();
    private readonly int _maxPeers;
    private readonly TimeProvider _time;

    public PeerStore(int maxPeers = DefaultMaxPeers, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeers, 1);
        _maxPeers = maxPeers;
        _time = time ?? TimeProvider.System;
    }

    public int Count => _peers.Count;

    public PeerInfo? Get(PeerId peer) => _peers.TryGetValue(peer, out PeerInfo? info) ? info : null;

    public IReadOnlyList<Multiaddr> GetAddresses(PeerId peer) => Get(peer)?.Addresses ?? [];

    public IReadOnlyList<string> GetProtocols(PeerId peer) => Get(peer)?.Protocols ?? [];

    public IReadOnlyCollection<PeerId> Peers => (IReadOnlyCollection<PeerId>)_peers.Keys;

    /// <summary>
    /// Adds dialable addresses, newest first, dropping duplicates and any <c>/p2p</c> suffix;
    /// the oldest fall off past <see cref="MaxAddressesPerPeer"/>.
    /// </summary>
    public void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses)
    {
        Multiaddr[] fresh = addresses.Select(static a => a.WithoutPeerId()).Distinct().Take(MaxAddressesPerPeer).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }
        Update(peer, info => info with
        {
            Addresses = fresh.Concat(info.Addresses.Where(a => !fresh.Contains(a))).Take(MaxAddressesPerPeer).ToArray(),
        });
    }

    /// <summary>Replaces what identify reported (protocols and versions; addresses are merged).</summary>
    public void SetIdentified(PeerId peer, IEnumerable<string> protocols, string? agentVersion, string? protocolVersion)
    {
        string[] list = protocols.Distinct(StringComparer.Ordinal).Take(MaxProtocolsPerPeer).ToArray();
        Update(peer, info => info with { Protocols = list, AgentVersion = agentVersion, ProtocolVersion = protocolVersion });
    }

    public void Touch(PeerId peer) => Update(peer, static info => info);

    public bool Remove(PeerId peer) => _peers.TryRemove(peer, out _);

    private void Update(PeerId peer, Func<PeerInfo, PeerInfo> change)
    {
        DateTimeOffset now = _time.GetUtcNow();
        bool added = false;
        _peers.AddOrUpdate(
            peer,
            id =>
            {
                added = true;
                return change(new PeerInfo(id, [], [], null, null, now));
            },
            (_, info) => change(info) with { LastSeen = now });
        if (added && _peers.Count > _maxPeers)
        {
            EvictStalest(peer);
        }
    }

    // O(n), but only when a new peer arrives at a full store.
    private void EvictStalest(PeerId keep)
    {
        PeerId? stalest = null;
        DateTimeOffset oldest = DateTimeOffset.MaxValue;
        foreach ((PeerId id, PeerInfo info) in _peers)
        {
            if (!id.Equals(keep) && info.LastSeen < oldest)
            {
                oldest = info.LastSeen;
                stalest = id;
            }
        }
        if (stalest is not null)
        {
            _peers.TryRemove(stalest, out _);
        }
    }
}
