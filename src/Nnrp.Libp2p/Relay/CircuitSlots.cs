using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// Counts the relayed connections in flight: at most <see cref="RelayServiceOptions.MaxCircuits"/>
/// in all and <see cref="RelayServiceOptions.MaxCircuitsPerPeer"/> with one peer at either end
/// (go-libp2p counts its <c>MaxCircuits</c> the same way, source and destination alike).
/// </summary>
internal sealed class CircuitSlots(RelayServiceOptions options)
{
    private readonly Dictionary<PeerId, int> _byPeer = [];
    private readonly Lock _gate = new();
    private int _total;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>Takes a slot for a circuit from <paramref name="source"/> to <paramref name="destination"/>; false when a cap is reached.</summary>
    public bool TryAcquire(PeerId source, PeerId destination)
    {
        lock (_gate)
        {
            if (_total >= options.MaxCircuits
                || _byPeer.GetValueOrDefault(source) >= options.MaxCircuitsPerPeer
                || _byPeer.GetValueOrDefault(destination) >= options.MaxCircuitsPerPeer)
            {
                return false;
            }
            _total++;
            _byPeer[source] = _byPeer.GetValueOrDefault(source) + 1;
            _byPeer[destination] = _byPeer.GetValueOrDefault(destination) + 1;
            return true;
        }
    }

    public void Release(PeerId source, PeerId destination)
    {
        lock (_gate)
        {
            _total--;
            Decrement(source);
            Decrement(destination);
        }
    }

    private void Decrement(PeerId peer)
    {
        int left = _byPeer.GetValueOrDefault(peer) - 1;
        if (left <= 0)
        {
            _byPeer.Remove(peer);
        }
        else
        {
            _byPeer[peer] = left;
        }
    }
}
