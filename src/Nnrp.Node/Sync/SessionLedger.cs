using Nnrp.Libp2p.Identity;
using Nnrp.Node.Shards;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>
/// What the initiator remembers about peers between sessions (§11.8.7), bounded and expiring:
/// when each peer's last session started — kept for <see cref="SyncOptions.MinPeerInterval"/>,
/// at most <see cref="SyncLimits.MaxTrackedPeers"/> peers — and the open ranges of a stopped
/// session per shard — kept for <see cref="SyncOptions.ResumeWindow"/>, at most
/// <see cref="SyncLimits.MaxResumeShards"/> shards × <see cref="SyncLimits.MaxResumeRanges"/> ranges.
/// The responder is stateless and every holder of a shard can answer for it, so the next whole
/// session over the shard continues where the last stopped, whichever peer it is with: a shard
/// too large for one session's budget is walked in a chain of sessions.
/// A plain state machine on a <see cref="TimeProvider"/>; <see cref="SyncService"/> does the I/O.
/// </summary>
public sealed class SessionLedger(SyncOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<PeerId, DateTimeOffset> _started = [];
    private readonly Dictionary<ShardId, Saved> _resume = [];

    /// <summary>Peers whose last session start is remembered.</summary>
    public int TrackedPeers
    {
        get
        {
            lock (_lock)
            {
                return _started.Count;
            }
        }
    }

    /// <summary>Shards with open ranges kept to resume.</summary>
    public int ResumeShards
    {
        get
        {
            lock (_lock)
            {
                return _resume.Count;
            }
        }
    }

    /// <summary>True unless a session with <paramref name="peer"/> started within the last <see cref="SyncOptions.MinPeerInterval"/>.</summary>
    public bool IsDue(PeerId peer)
    {
        lock (_lock)
        {
            return !_started.TryGetValue(peer, out DateTimeOffset last) || time.GetUtcNow() - last >= options.MinPeerInterval;
        }
    }

    /// <summary>
    /// Records that a session with <paramref name="peer"/> starts now. False when one started
    /// within <see cref="SyncOptions.MinPeerInterval"/>, or when the ledger holds
    /// <see cref="SyncLimits.MaxTrackedPeers"/> peers that all started that recently.
    /// </summary>
    public bool TryStart(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (_lock)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (_started.TryGetValue(peer, out DateTimeOffset last))
            {
                if (now - last < options.MinPeerInterval)
                {
                    return false;
                }
            }
            else if (_started.Count >= SyncLimits.MaxTrackedPeers)
            {
                Prune(now);
                if (_started.Count >= SyncLimits.MaxTrackedPeers)
                {
                    return false;
                }
            }
            _started[peer] = now;
            return true;
        }
    }

    /// <summary>Keeps a stopped session's open ranges over <paramref name="shard"/> to resume, merging the last ones past <see cref="SyncLimits.MaxResumeRanges"/>.</summary>
    public void Save(ShardId shard, IReadOnlyList<(TimeKey Lower, TimeKey Upper)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        lock (_lock)
        {
            DateTimeOffset now = time.GetUtcNow();
            Prune(now);
            if (!_resume.ContainsKey(shard) && _resume.Count >= SyncLimits.MaxResumeShards)
            {
                _resume.Remove(_resume.MinBy(e => e.Value.At).Key);
            }
            _resume[shard] = new Saved(now, Coalesce(ranges, SyncLimits.MaxResumeRanges));
        }
    }

    /// <summary>Removes and returns the ranges kept for <paramref name="shard"/>, or null when none are or they expired.</summary>
    public IReadOnlyList<(TimeKey Lower, TimeKey Upper)>? TakeResume(ShardId shard)
    {
        lock (_lock)
        {
            return _resume.Remove(shard, out Saved? saved) && time.GetUtcNow() - saved.At < options.ResumeWindow ? saved.Ranges : null;
        }
    }

    /// <summary>Forgets session starts older than the peer interval and resume state older than its window.</summary>
    public void Prune()
    {
        lock (_lock)
        {
            Prune(time.GetUtcNow());
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach ((PeerId peer, DateTimeOffset at) in _started)
        {
            if (now - at >= options.MinPeerInterval)
            {
                _started.Remove(peer);
            }
        }
        foreach ((ShardId shard, Saved saved) in _resume)
        {
            if (now - saved.At >= options.ResumeWindow)
            {
                _resume.Remove(shard);
            }
        }
    }

    /// <summary>
    /// The ranges in ascending order, at most <paramref name="max"/>: the first max − 1 as they are,
    /// then one range from the next lower bound to the highest upper bound, covering the rest.
    /// </summary>
    public static List<(TimeKey Lower, TimeKey Upper)> Coalesce(IReadOnlyList<(TimeKey Lower, TimeKey Upper)> ranges, int max)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        List<(TimeKey Lower, TimeKey Upper)> sorted = [.. ranges.OrderBy(r => r.Lower)];
        if (sorted.Count <= max)
        {
            return sorted;
        }
        TimeKey upper = sorted.Skip(max - 1).Max(r => r.Upper);
        List<(TimeKey Lower, TimeKey Upper)> kept = sorted.GetRange(0, max - 1);
        kept.Add((sorted[max - 1].Lower, upper));
        return kept;
    }

    private sealed record Saved(DateTimeOffset At, List<(TimeKey Lower, TimeKey Upper)> Ranges);
}
