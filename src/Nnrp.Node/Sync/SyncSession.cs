using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;

namespace Nnrp.Node.Sync;

/// <summary>
/// The initiator's side of a sync session (§11.8.3–4): a queue of ranges still to settle,
/// packed into requests of at most 4 KiB, and the ids learnt on the way — those the peer has
/// and we lack (<see cref="Need"/>, to pull) and those we have and it lacks
/// (<see cref="Offer"/>, to push). A plain state machine: the caller does the I/O.
/// <code>
///   start: [from, ∞) as one fingerprint
///   per answered range from the peer:
///     its ids                  → diff with mine: Need += theirs − mine, Offer += mine − theirs
///     its fingerprint == mine  → settled
///     its fingerprint ≠ mine   → queue it: sent next as my ids (≤ 32) or as 16 fingerprints
///   unanswered request ranges go back to the front of the queue
/// </code>
/// Every answer is checked (§11.8.4): answers lie inside answered ranges, at most 16 per
/// range, and a fingerprint answer is strictly narrower than what was asked, so each range
/// either settles or shrinks; rounds, bytes and queue length are capped on top.
/// </summary>
public sealed class SyncSession
{
    private readonly ISyncSet _local;
    private readonly LinkedList<Pending> _queue = new();
    private readonly HashSet<NotificationHash> _need = [];
    private readonly HashSet<NotificationHash> _offer = [];
    private List<SyncRange>? _inFlight;

    /// <summary>A session over every item at or after <paramref name="from"/> (default: all).</summary>
    public SyncSession(ISyncSet local, TimeKey? from = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        _local = local;
        _queue.AddLast(new Pending(from ?? SyncBounds.Lowest, SyncBounds.Infinity, Split: false));
    }

    private SyncSession(ISyncSet local, IEnumerable<(TimeKey Lower, TimeKey Upper)> pending)
    {
        _local = local;
        foreach ((TimeKey lower, TimeKey upper) in pending)
        {
            _queue.AddLast(new Pending(lower, upper, Split: false));
        }
    }

    /// <summary>Continues a session that stopped on its budget, from its <see cref="Remaining"/> ranges.</summary>
    public static SyncSession Resume(ISyncSet local, IEnumerable<(TimeKey Lower, TimeKey Upper)> remaining)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remaining);
        return new SyncSession(local, remaining);
    }

    /// <summary>True when every range is settled.</summary>
    public bool IsComplete => _queue.Count == 0 && _inFlight is null;

    /// <summary>Reconcile round trips so far.</summary>
    public int Rounds { get; private set; }

    /// <summary>Bytes sent and received for this session, as counted by the caller.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// True once the session spent <see cref="SyncLimits.MaxRoundsPerSession"/> rounds or
    /// <see cref="SyncLimits.MaxBytesPerSession"/> bytes: <see cref="NextRequest"/> stops, and the
    /// <see cref="Remaining"/> ranges wait for a later session.
    /// </summary>
    public bool IsOverBudget => Rounds >= SyncLimits.MaxRoundsPerSession || Bytes >= SyncLimits.MaxBytesPerSession;

    /// <summary>Adds wire bytes (both directions) to <see cref="Bytes"/>.</summary>
    public void CountBytes(long bytes) => Bytes += bytes;

    /// <summary>Ranges not yet settled (to resume later).</summary>
    public IReadOnlyList<(TimeKey Lower, TimeKey Upper)> Remaining =>
        [.. (_inFlight ?? []).Select(r => (r.Lower, r.Upper)), .. _queue.Select(p => (p.Lower, p.Upper))];

    /// <summary>Ids the peer holds and we do not.</summary>
    public IReadOnlyCollection<NotificationHash> Need => _need;

    /// <summary>Ids we hold and the peer does not (at most <see cref="SyncLimits.MaxCollectedPerSession"/>).</summary>
    public IReadOnlyCollection<NotificationHash> Offer => _offer;

    /// <summary>Removes and returns up to <paramref name="max"/> ids from <see cref="Need"/>.</summary>
    public List<NotificationHash> TakeNeed(int max) => Take(_need, max);

    /// <summary>Removes and returns up to <paramref name="max"/> ids from <see cref="Offer"/>.</summary>
    public List<NotificationHash> TakeOffer(int max) => Take(_offer, max);

    private static List<NotificationHash> Take(HashSet<NotificationHash> set, int max)
    {
        List<NotificationHash> taken = set.Take(max).ToList();
        foreach (NotificationHash id in taken)
        {
            set.Remove(id);
        }
        return taken;
    }

    /// <summary>
    /// The next request: queued ranges, summarised now, while they fit <see cref="SyncLimits.RequestBudget"/>
    /// and <see cref="SyncLimits.MaxRequestRanges"/>. Null when the session is complete or over budget.
    /// </summary>
    public IReadOnlyList<SyncRange>? NextRequest()
    {
        if (_inFlight is not null)
        {
            throw new InvalidOperationException("the previous request has not been answered");
        }
        if (IsOverBudget)
        {
            return null;
        }
        var request = new List<SyncRange>();
        int size = 0;
        while (_queue.First is { } node)
        {
            Pending pending = node.Value;
            List<SyncRange> ranges = pending.Summarised ??= Summarise(pending);
            int bytes = ranges.Sum(r => SyncWire.ToProto(r).CalculateSize() + 3);
            if (request.Count > 0 && (size + bytes > SyncLimits.RequestBudget || request.Count + ranges.Count > SyncLimits.MaxRequestRanges))
            {
                break;
            }
            _queue.RemoveFirst();
            request.AddRange(ranges);
            size += bytes;
        }
        if (request.Count == 0)
        {
            return null;
        }
        _inFlight = request;
        return request;
    }

    private List<SyncRange> Summarise(Pending pending)
    {
        RangeSummary mine = RangeSummary.Of(_local, pending.Lower, pending.Upper, SyncLimits.InitiatorIdListMax);
        if (mine.Ids is { } ids)
        {
            return [SyncRange.WithIds(pending.Lower, pending.Upper, ids)];
        }
        return pending.Split
            ? RangeSummary.Split(_local, pending.Lower, pending.Upper, mine.Count)
            : [SyncRange.WithFingerprint(pending.Lower, pending.Upper, mine.Fingerprint)];
    }

    /// <summary>Takes the peer's answer to the request <see cref="NextRequest"/> returned.</summary>
    /// <exception cref="SyncProtocolException">the answer breaks §11.8.4; the session must end.</exception>
    public void Apply(int answered, IReadOnlyList<SyncRange> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        List<SyncRange> sent = _inFlight ?? throw new InvalidOperationException("no request is waiting for an answer");
        _inFlight = null;
        Rounds++;
        if (answered < 1 || answered > sent.Count)
        {
            throw new SyncProtocolException($"the peer answered {answered} of {sent.Count} ranges; it must answer at least one");
        }
        // Unanswered ranges go back first, in order, already summarised.
        for (int i = sent.Count - 1; i >= answered; i--)
        {
            _queue.AddFirst(new Pending(sent[i].Lower, sent[i].Upper, Split: false) { Summarised = [sent[i]] });
        }
        int j = 0;
        int inCurrent = 0;
        foreach (SyncRange theirs in response)
        {
            while (j < answered && !sent[j].Covers(theirs))
            {
                j++;
                inCurrent = 0;
            }
            if (j == answered)
            {
                throw new SyncProtocolException("the peer answered outside the ranges it was asked about");
            }
            if (++inCurrent > SyncLimits.Buckets)
            {
                throw new SyncProtocolException($"the peer cut one range into more than {SyncLimits.Buckets}");
            }
            Settle(sent[j], theirs);
        }
        if (_queue.Count > SyncLimits.MaxQueuedRanges)
        {
            throw new SyncProtocolException($"the peer's answers left more than {SyncLimits.MaxQueuedRanges} ranges open");
        }
    }

    private void Settle(SyncRange asked, SyncRange theirs)
    {
        if (theirs.Ids is { } ids)
        {
            Diff(theirs, ids);
            return;
        }
        if (theirs.Lower == asked.Lower && theirs.Upper == asked.Upper)
        {
            // A fingerprint for exactly what we asked says "different" and nothing more: no progress.
            throw new SyncProtocolException("the peer answered a range with a fingerprint of the same range");
        }
        RangeSummary mine = RangeSummary.Of(_local, theirs.Lower, theirs.Upper, 0);
        if (mine.Fingerprint != theirs.Fingerprint)
        {
            _queue.AddLast(new Pending(theirs.Lower, theirs.Upper, Split: true));
        }
    }

    private void Diff(SyncRange theirs, IReadOnlyList<NotificationHash> theirIds)
    {
        var mine = new List<NotificationHash>();
        foreach (TimeKey key in _local.Range(theirs.Lower, theirs.Upper))
        {
            mine.Add(key.Hash);
        }
        mine.Sort();
        int a = 0;
        int b = 0;
        while (a < mine.Count || b < theirIds.Count)
        {
            int c = a == mine.Count ? 1 : b == theirIds.Count ? -1 : mine[a].CompareTo(theirIds[b]);
            if (c < 0)
            {
                if (_offer.Count < SyncLimits.MaxCollectedPerSession)
                {
                    _offer.Add(mine[a]);
                }
                a++;
            }
            else if (c > 0)
            {
                _need.Add(theirIds[b++]);
            }
            else
            {
                a++;
                b++;
            }
        }
    }

    private sealed record Pending(TimeKey Lower, TimeKey Upper, bool Split)
    {
        /// <summary>The ranges this entry goes out as, computed when first packed.</summary>
        public List<SyncRange>? Summarised { get; set; }
    }
}
