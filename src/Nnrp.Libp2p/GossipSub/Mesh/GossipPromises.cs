using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Mesh;

/// <summary>
/// gossipsub-v1.1.md "Spam Protection Measures": when we send IWANT after a peer's IHAVE, the
/// peer promises to deliver. One id of each IWANT is tracked; if no copy of it arrives (from
/// anyone) within <c>iwant_followup_time</c>, the peer broke the promise and earns P7.
/// </summary>
internal sealed class GossipPromises(TimeProvider time)
{
    private readonly Dictionary<MessageId, Dictionary<PeerId, DateTimeOffset>> _promises = [];

    public int Count => _promises.Count;

    public void Add(PeerId peer, MessageId id, TimeSpan followup)
    {
        if (!_promises.TryGetValue(id, out var peers))
        {
            _promises[id] = peers = [];
        }
        peers.TryAdd(peer, time.GetUtcNow() + followup);
    }

    /// <summary>The message arrived (valid or not, first or duplicate): every promise for it is kept.</summary>
    public void Fulfil(MessageId id) => _promises.Remove(id);

    /// <summary>Heartbeat: removes expired promises and returns how many each peer broke.</summary>
    public Dictionary<PeerId, int> TakeBroken()
    {
        var broken = new Dictionary<PeerId, int>();
        DateTimeOffset now = time.GetUtcNow();
        foreach (var (id, peers) in _promises)
        {
            foreach (var (peer, expires) in peers)
            {
                if (expires <= now)
                {
                    broken[peer] = broken.GetValueOrDefault(peer) + 1;
                    peers.Remove(peer);
                }
            }
            if (peers.Count == 0)
            {
                _promises.Remove(id);
            }
        }
        return broken;
    }
}
