namespace Nnrp.Node.Sync;

/// <summary>
/// §11.8.7: the peers of a periodic round. A session runs only over shards both sides hold
/// (§11.8.8), so a pick that shares none is a wasted round; once shards are deep most
/// connections share none. Peers whose last status overlaps come first, then peers whose status
/// is unknown (the session's status request learns it); peers known to share nothing are left out.
/// </summary>
public static class SyncPeerChoice
{
    /// <param name="candidates">connected peers that serve /nnrp/1.0, in random order</param>
    /// <param name="sharesShard">true: its last status overlaps ours; false: it shares none; null: not known</param>
    public static List<T> Pick<T>(IReadOnlyList<T> candidates, Func<T, bool?> sharesShard, int count)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(sharesShard);
        var chosen = new List<T>(count);
        var unknown = new List<T>();
        foreach (T peer in candidates)
        {
            if (chosen.Count == count)
            {
                break;
            }
            switch (sharesShard(peer))
            {
                case true:
                    chosen.Add(peer);
                    break;
                case null:
                    unknown.Add(peer);
                    break;
            }
        }
        chosen.AddRange(unknown.Take(count - chosen.Count));
        return chosen;
    }
}
