using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.ConnectionManager;

/// <summary>
/// Concurrent inbound streams per (peer, protocol), over all the peer's connections
/// (NNRP.md §14.1; go-libp2p's protocol-peer scope). Yamux already caps a session at
/// <see cref="Yamux.YamuxOptions.MaxInboundStreams"/>; this keeps one protocol from taking
/// them all and a peer from multiplying them by opening more connections.
/// </summary>
public sealed class StreamLimiter(ConnectionLimits limits)
{
    private readonly Dictionary<(PeerId Peer, string Protocol), int> _open = [];

    /// <summary>Streams counted now, all peers and protocols.</summary>
    public int Open
    {
        get
        {
            lock (_open)
            {
                return _open.Values.Sum();
            }
        }
    }

    /// <summary>Counts one more stream; false (nothing counted) when the peer is at the protocol's cap.</summary>
    public bool TryAcquire(PeerId peer, string protocol)
    {
        int limit = limits.InboundStreamLimit(protocol);
        lock (_open)
        {
            _open.TryGetValue((peer, protocol), out int open);
            if (open >= limit)
            {
                return false;
            }
            _open[(peer, protocol)] = open + 1;
            return true;
        }
    }

    public void Release(PeerId peer, string protocol)
    {
        lock (_open)
        {
            if (!_open.TryGetValue((peer, protocol), out int open))
            {
                return;
            }
            if (open <= 1)
            {
                _open.Remove((peer, protocol));
            }
            else
            {
                _open[(peer, protocol)] = open - 1;
            }
        }
    }
}
