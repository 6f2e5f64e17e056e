namespace Nnrp.Libp2p.Kad.Crawl;

/// <summary>
/// The crawl's bookkeeping, without I/O: every distinct peer named so far (at most
/// <c>maxPeers</c>), the ones not visited yet in the order they were found, and their
/// addresses as reported (merged until the peer is taken, at most 32 each).
/// </summary>
internal sealed class CrawlFrontier(int maxPeers)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<KadKey, KadPeer> _waiting = [];
    private readonly HashSet<KadKey> _known = [];
    private readonly Queue<KadKey> _order = new();

    /// <summary>A peer was named after <c>maxPeers</c> were recorded, and dropped.</summary>
    public bool CapReached { get; private set; }

    /// <summary>Distinct peers recorded (taken or waiting).</summary>
    public int Known
    {
        get
        {
            lock (_lock)
            {
                return _known.Count;
            }
        }
    }

    /// <summary>Peers recorded but not taken yet.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Records <paramref name="peer"/>; true if it was new. Addresses of a waiting peer are merged.</summary>
    public bool Offer(KadPeer peer)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(peer.Key, out KadPeer? known))
            {
                if (peer.Addresses.Count > 0 && known.Addresses.Count < KadCodec.MaxAddressesPerPeer)
                {
                    _waiting[peer.Key] = known.WithAddresses(known.Addresses.Union(peer.Addresses).Take(KadCodec.MaxAddressesPerPeer).ToArray());
                }
                return false;
            }
            if (_known.Contains(peer.Key))
            {
                return false;
            }
            if (_known.Count >= maxPeers)
            {
                CapReached = true;
                return false;
            }
            _known.Add(peer.Key);
            _waiting.Add(peer.Key, peer);
            _order.Enqueue(peer.Key);
            return true;
        }
    }

    /// <summary>The next peer to visit, first found first.</summary>
    public bool TryTake(out KadPeer peer)
    {
        lock (_lock)
        {
            while (_order.TryDequeue(out KadKey key))
            {
                if (_waiting.Remove(key, out KadPeer? next))
                {
                    peer = next;
                    return true;
                }
            }
            peer = null!;
            return false;
        }
    }
}
