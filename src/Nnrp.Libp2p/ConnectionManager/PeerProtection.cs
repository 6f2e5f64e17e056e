using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.ConnectionManager;

/// <summary>
/// Peers the trimmer never closes (go-libp2p connmgr's Protect/Unprotect): Kad protects its
/// routing table, GossipSub its mesh. A peer stays protected while any tag holds it, so two
/// protocols can protect one peer independently.
/// </summary>
public sealed class PeerProtection
{
    private readonly Dictionary<PeerId, HashSet<string>> _tags = [];

    /// <summary>Peers protected by at least one tag.</summary>
    public int Count
    {
        get
        {
            lock (_tags)
            {
                return _tags.Count;
            }
        }
    }

    public void Protect(PeerId peer, string tag)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        lock (_tags)
        {
            if (!_tags.TryGetValue(peer, out HashSet<string>? tags))
            {
                _tags[peer] = tags = new HashSet<string>(StringComparer.Ordinal);
            }
            tags.Add(tag);
        }
    }

    /// <summary>Removes one tag; returns whether the peer is still protected by another.</summary>
    public bool Unprotect(PeerId peer, string tag)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (_tags)
        {
            if (!_tags.TryGetValue(peer, out HashSet<string>? tags))
            {
                return false;
            }
            tags.Remove(tag);
            if (tags.Count == 0)
            {
                _tags.Remove(peer);
                return false;
            }
            return true;
        }
    }

    public bool IsProtected(PeerId peer)
    {
        lock (_tags)
        {
            return _tags.ContainsKey(peer);
        }
    }
}
