using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>Hole punches in progress: at most a fixed number in all and one per peer, whichever side started it.</summary>
internal sealed class PunchSlots(int capacity)
{
    private readonly HashSet<PeerId> _peers = [];

    public int Count
    {
        get
        {
            lock (_peers)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>False when every slot is taken or <paramref name="peer"/> already has one.</summary>
    public bool TryAcquire(PeerId peer)
    {
        lock (_peers)
        {
            return _peers.Count < capacity && _peers.Add(peer);
        }
    }

    public void Release(PeerId peer)
    {
        lock (_peers)
        {
            _peers.Remove(peer);
        }
    }
}
