using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;

namespace Nnrp.Client.Network;

/// <summary>
/// NNRP.md §8.4 "Finding holders", the client's memory of a walk: DHT providers whose status
/// covered a tag, kept with that status for <see cref="Ttl"/> and reused for every tag the status
/// covers. A wallet sending to many recipients of one shard (or fetching again) then walks the
/// DHT once, not once per notification: each walk is up to 8 lookups of about 20 requests, and
/// nodes rate-limit Kad requests per peer. A node that failed a publish or a fetch is forgotten
/// at once, so a stale entry costs at most one failed request before a new walk.
/// </summary>
internal sealed class HolderCache(TimeProvider time)
{
    /// <summary>
    /// How long a verified holder is reused without asking again. Shards move at most once per
    /// `--shard-min-move-interval` (1 h by default, §8.2), and a node that moved answers
    /// WRONG_SHARD, which makes the client forget it.
    /// </summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(2);

    /// <summary>Nodes remembered at most; the oldest entry makes room.</summary>
    public const int MaxNodes = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Remembers a holder a walk verified with <paramref name="status"/>.</summary>
    public void Add(Holder holder, StatusResponse status)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(holder.Node.Key) && _entries.Count >= MaxNodes)
            {
                _entries.Remove(_entries.MinBy(static e => e.Value.At).Key);
            }
            _entries[holder.Node.Key] = new Entry(holder, status, time.GetUtcNow());
        }
    }

    /// <summary>Fresh holders whose status covers <paramref name="tag"/>, deepest shard first (as a walk orders them).</summary>
    public List<(Holder Holder, StatusResponse Status)> Covering(RecipientTag tag)
    {
        DateTimeOffset now = time.GetUtcNow();
        lock (_gate)
        {
            foreach (string stale in _entries.Where(e => now - e.Value.At >= Ttl).Select(static e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
            return [.. _entries.Values
                .Where(e => ShardCoverage.Covers(e.Status.Shards, tag))
                .OrderByDescending(static e => e.Holder.Depth ?? -1)
                .ThenBy(static e => e.At)
                .Select(static e => (e.Holder, e.Status))];
        }
    }

    /// <summary>Forgets a node that failed a request (refused, wrong shard, unreachable).</summary>
    public void Forget(string nodeKey)
    {
        lock (_gate)
        {
            _entries.Remove(nodeKey);
        }
    }

    private sealed record Entry(Holder Holder, StatusResponse Status, DateTimeOffset At);
}
