using System.Collections.Concurrent;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Node.Shards;

/// <summary>What a peer said in its last status (§11.7): its shards and stored bytes, and when.</summary>
public sealed record PeerShards(ShardSet Shards, ulong StoredBytes, DateTimeOffset At);

/// <summary>
/// The last status of peers (NNRP.md §8.2 reports, §11.8.8 whom to sync which shard with),
/// bounded (<see cref="Capacity"/> peers; the oldest entry goes for a new one) and expiring.
/// </summary>
public sealed class PeerShardBook(TimeProvider time)
{
    public const int Capacity = 4096;

    /// <summary>A status older than this is not used (asked again).</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<PeerId, PeerShards> _peers = new();

    public int Count => _peers.Count;

    public void Record(PeerId peer, Nnrp.Core.Protocol.StatusResponse status)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(status);
        ShardId[] shards = status.Shards.Select(ShardId.FromProto).OfType<ShardId>().ToArray();
        // A node that names no shard it may hold is read as a full node (§11.7: older nodes say (0, 0)).
        var set = new ShardSet(shards.Length == 0 ? [ShardId.Full] : shards);
        if (_peers.Count >= Capacity && !_peers.ContainsKey(peer))
        {
            KeyValuePair<PeerId, PeerShards> oldest = _peers.MinBy(static p => p.Value.At);
            _peers.TryRemove(oldest.Key, out _);
        }
        _peers[peer] = new PeerShards(set, status.StoredBytes, time.GetUtcNow());
    }

    /// <summary>The peer's last status if fresh.</summary>
    public PeerShards? Find(PeerId peer) =>
        _peers.TryGetValue(peer, out PeerShards? p) && time.GetUtcNow() - p.At < FreshFor ? p : null;

    /// <summary>§8.2: the fresh reports, <c>stored_bytes × 2^b</c> each.</summary>
    public IReadOnlyList<ulong> Reports()
    {
        DateTimeOffset now = time.GetUtcNow();
        return _peers.Values.Where(p => now - p.At < FreshFor)
            .Select(static p => DepthPlanner.Report(p.StoredBytes, p.Shards.ShallowestBits)).ToArray();
    }
}
