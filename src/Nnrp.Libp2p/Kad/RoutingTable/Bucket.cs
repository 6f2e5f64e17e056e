namespace Nnrp.Libp2p.Kad.RoutingTable;

/// <summary>
/// One k-bucket: members ordered least- to most-recently seen (Kademlia §2.2), plus a short
/// replacement cache ordered oldest to newest. Not thread-safe; <see cref="KadRoutingTable"/> locks.
/// </summary>
internal sealed class Bucket
{
    internal sealed class Entry(KadPeer peer, DateTimeOffset lastSeen)
    {
        public KadPeer Peer { get; set; } = peer;

        public DateTimeOffset LastSeen { get; set; } = lastSeen;

        public int Failures { get; set; }
    }

    public List<Entry> Members { get; } = [];

    public List<KadPeer> Replacements { get; } = [];

    public DateTimeOffset LastRefreshed { get; set; }

    public int IndexOf(KadKey key) => Members.FindIndex(e => e.Peer.Key == key);

    public void AddReplacement(KadPeer peer, int capacity)
    {
        Replacements.RemoveAll(p => p.Key == peer.Key);
        Replacements.Add(peer);
        if (Replacements.Count > capacity)
        {
            Replacements.RemoveAt(0);
        }
    }

    /// <summary>Takes the newest replacement, the likeliest to still be online.</summary>
    public KadPeer? PopReplacement()
    {
        if (Replacements.Count == 0)
        {
            return null;
        }
        KadPeer newest = Replacements[^1];
        Replacements.RemoveAt(Replacements.Count - 1);
        return newest;
    }
}
