using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Protocol.Doors;

namespace Nnrp.Http.Peers;

/// <summary>
/// NNRP.md §12 <c>GET /v1/peers</c>: other nodes this one knows (its peer store, filled by
/// identify, Kad answers and connections) that have at least one browser door, so one node a
/// browser can reach leads it to more. Connected peers first, then the most recently seen; at
/// most <see cref="MaxPeers"/>, each with at most <see cref="MaxAddressesPerPeer"/> doors; public
/// addresses only unless the node runs on a private network. The answer is computed at most
/// once per <see cref="CacheFor"/>: the peer store holds up to 10 000 peers, and a client within
/// its rate limit must not make the node walk them fifty times a second.
/// </summary>
internal sealed class PeerDirectory(Libp2pHost host, bool allowPrivate, TimeProvider time)
{
    /// <summary>Peers in one answer at most: enough to reach every shard of a young network, small enough to fetch on a phone.</summary>
    public const int MaxPeers = 64;

    /// <summary>Doors listed per peer at most (a WebSocket and an HTTP door, each plain and under TLS, each IPv4, IPv6 and named).</summary>
    public const int MaxAddressesPerPeer = 8;

    /// <summary>How long one answer is served before the peer store is read again.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private PeersBody? _cached;
    private long _cachedAt;

    public PeersBody Read()
    {
        lock (_gate)
        {
            if (_cached is null || time.GetElapsedTime(_cachedAt) >= CacheFor)
            {
                _cached = Build();
                _cachedAt = time.GetTimestamp();
            }
            return _cached;
        }
    }

    private PeersBody Build()
    {
        var connected = host.Connections.Select(static c => c.RemotePeer).ToHashSet();
        var entries = new List<(PeerEntry Entry, bool Connected, DateTimeOffset Seen)>();
        foreach (PeerId peer in host.PeerStore.Peers)
        {
            if (peer.Equals(host.PeerId) || host.PeerStore.Get(peer) is not { } info)
            {
                continue;
            }
            string[] doors = info.Addresses
                .Where(a => BrowserDoors.IsAdvertisable(a, allowPrivate))
                .Select(static a => a.WithoutPeerId().ToString())
                .Distinct(StringComparer.Ordinal)
                .Take(MaxAddressesPerPeer)
                .ToArray();
            if (doors.Length > 0)
            {
                entries.Add((new PeerEntry(peer.ToString(), doors), connected.Contains(peer), info.LastSeen));
            }
        }
        return new PeersBody([.. entries
            .OrderByDescending(static e => e.Connected)
            .ThenByDescending(static e => e.Seen)
            .Take(MaxPeers)
            .Select(static e => e.Entry)]);
    }
}
