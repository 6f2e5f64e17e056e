using System.Runtime.InteropServices;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Sync;

/// <summary>
/// The initiator's side of a sync session (§11.8.3–4): a queue of ranges still to settle,
/// packed into requests of at most 4 KiB, and the ids learnt on the way — those the peer has
/// and we lack (<see cref="Need"/>, to pull) and those we have and it lacks
/// (<see cref="Offer"/>, to push). A plain state machine: the caller does the I/O.
/// <code>
///   start: [from, ∞), cut into tiers at now − 1 h, − 24 h, − 7 d, settled newest first (§11.8.3),
///          sent as chunks of ≤ 4096 of my items, ≤ 12 288 items per request
///   per answered range from the peer:
///     its ids                  → diff with mine: Need += theirs − mine, Offer += mine − theirs
///     its fingerprint == mine  → settled
///     its fingerprint ≠ mine   → queue it: sent next as my ids (≤ 32) or as 16 fingerprints
///     open (its budget ran out) → queue it, summarised like any range of mine
///   unanswered request ranges go back to the front of the queue
/// </code>
/// Every answer is checked (§11.8.4): answers lie inside answered ranges, at most 16 per
/// range, and a fingerprint answer is strictly narrower than what was asked, so each range
/// either settles or shrinks; rounds, bytes and queue length are capped on top.
/// </summary>
public sealed class SyncSession
{
    /// <summary>
    /// §11.8.3 "Recent first": ages (seconds before now) at which a session's start range is cut
    /// into tiers, settled newest first. A session's round budget (§11.8.4) covers about 3 M
    /// converged items; a larger shard walked oldest first would spend it on settled history and
    /// never reach what a returning node missed.
    /// </summary>
    public static readonly ulong[] RecentTierAges = [60 * 60, 24 * 60 * 60, 7 * 24 * 60 * 60];

    private readonly ISyncSet _local;

    // One queue per tier, newest first; every queued range lies inside one tier, so pieces of a
    // range go back to the queue of the tier it came from.
    private readonly LinkedList<Pending>[] _tiers;
    private readonly TimeKey[] _tierLowers;
    private readonly HashSet<NotificationHash> _need = [];
    private readonly HashSet<NotificationHash> _offer = [];
    private List<Piece>? _inFlight;

    /// <summary>
    /// A session over every item at or after <paramref name="from"/> (default: all). Given
    /// <paramref name="now"/> (Unix seconds), the range is settled in tiers, newest first (§11.8.3):
    /// the last hour, the last day, the last week, then the rest; without it, in one piece.
    /// </summary>
    public SyncSession(ISyncSet local, TimeKey? from = null, ulong? now = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        _local = local;
        TimeKey start = from ?? SyncBounds.Lowest;
        var lowers = new List<TimeKey>();
        if (now is { } t)
        {
            foreach (ulong age in RecentTierAges)
            {
                var lower = new TimeKey(t > age ? t - age : 0, SyncBounds.Lowest.Hash);
                if (lower > start && (lowers.Count == 0 || lower < lowers[^1]))
                {
                    lowers.Add(lower);
                }
            }
        }
        lowers.Add(start);
        _tierLowers = [.. lowers];
        _tiers = new LinkedList<Pending>[_tierLowers.Length];
        TimeKey upper = SyncBounds.Infinity;
        for (int i = 0; i < _tiers.Length; i++)
        {
            _tiers[i] = new LinkedList<Pending>();
            _tiers[i].AddLast(new Pending(_tierLowers[i], upper, Split: false));
            upper = _tierLowers[i];
        }
    }

    private SyncSession(ISyncSet local, IEnumerable<(TimeKey Lower, TimeKey Upper)> pending, TimeKey? recent)
    {
        _local = local;
        if (recent is { } r)
        {
            // The recent range first, the saved ranges below it (clipped, so all stay disjoint).
            _tierLowers = [r, SyncBounds.Lowest];
            _tiers = [new LinkedList<Pending>(), new LinkedList<Pending>()];
            _tiers[0].AddLast(new Pending(r, SyncBounds.Infinity, Split: false));
        }
        else
        {
            _tierLowers = [SyncBounds.Lowest];
            _tiers = [new LinkedList<Pending>()];
        }
        foreach ((TimeKey lower, TimeKey upper) in pending)
        {
            TimeKey top = recent is { } cut && upper > cut ? cut : upper;
            if (lower < top)
            {
                _tiers[^1].AddLast(new Pending(lower, top, Split: false));
            }
        }
    }

    /// <summary>The queue of the tier holding ranges that start at <paramref name="lower"/>.</summary>
    private LinkedList<Pending> TierOf(TimeKey lower)
    {
        for (int i = 0; i < _tierLowers.Length - 1; i++)
        {
            if (lower >= _tierLowers[i])
            {
                return _tiers[i];
            }
        }
        return _tiers[^1];
    }

    private int Queued
    {
        get
        {
            int count = 0;
            foreach (LinkedList<Pending> tier in _tiers)
            {
                count += tier.Count;
            }
            return count;
        }
    }

    /// <summary>
    /// Continues a session that stopped on its budget, from its <see cref="Remaining"/> ranges. Given
    /// <paramref name="recent"/>, everything from there up is settled first and the saved ranges
    /// below it after (§11.8.7: what arrived since the stop is not left to wait behind history).
    /// </summary>
    public static SyncSession Resume(ISyncSet local, IEnumerable<(TimeKey Lower, TimeKey Upper)> remaining, TimeKey? recent = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remaining);
        return new SyncSession(local, remaining, recent);
    }

    /// <summary>True when every range is settled.</summary>
    public bool IsComplete => Queued == 0 && _inFlight is null;

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
        [.. (_inFlight ?? []).Select(p => (p.Range.Lower, p.Range.Upper)), .. _tiers.SelectMany(static t => t).Select(p => (p.Lower, p.Upper))];

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
    /// The next request: queued ranges, summarised now, while they fit <see cref="SyncLimits.RequestBudget"/>,
    /// <see cref="SyncLimits.MaxRequestRanges"/> and <see cref="SyncLimits.InitiatorItemsPerRequest"/> of our
    /// items. A range holding more than <see cref="SyncLimits.InitiatorChunk"/> of our items goes out as its
    /// first chunk; the rest stays queued. Null when the session is complete or over budget.
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
        var request = new List<Piece>();
        int size = 0;
        long items = 0;
        foreach (LinkedList<Pending> tier in _tiers)
        {
            if (!Pack(tier, request, ref size, ref items))
            {
                break;
            }
        }
        if (request.Count == 0)
        {
            return null;
        }
        // §11.8.3: ascending on the wire. Queued ranges are disjoint, but split pieces and open
        // rests join the back of their tier's queue, and tiers go newest first, so the queue
        // itself is not in order.
        request.Sort((x, y) => x.Range.Lower.CompareTo(y.Range.Lower));
        _inFlight = request;
        return request.Select(p => p.Range).ToList();
    }

    /// <summary>Moves ranges from the front of <paramref name="queue"/> into the request while they fit; false once one does not.</summary>
    private bool Pack(LinkedList<Pending> queue, List<Piece> request, ref int size, ref long items)
    {
        while (queue.First is { } node)
        {
            Pending pending = node.Value;
            if (pending.Summarised is null)
            {
                List<Piece> summary = Summarise(pending, out (TimeKey Lower, TimeKey Upper)? rest);
                if (rest is { } r)
                {
                    // The entry now stands for its first chunk only: left queued (the request is
                    // full), it must not also cover the rest, or Remaining would overlap.
                    node.Value = pending = new Pending(pending.Lower, r.Lower, pending.Split);
                    queue.AddAfter(node, new Pending(r.Lower, r.Upper, Split: false));
                }
                pending.Summarised = summary;
            }
            List<Piece> pieces = pending.Summarised;
            int bytes = pieces.Sum(p => SyncWire.ToProto(p.Range).CalculateSize() + 3);
            long count = pieces.Sum(p => (long)p.Items);
            if (request.Count > 0 && (size + bytes > SyncLimits.RequestBudget || request.Count + pieces.Count > SyncLimits.MaxRequestRanges
                || items + count > SyncLimits.InitiatorItemsPerRequest))
            {
                return false;
            }
            queue.RemoveFirst();
            request.AddRange(pieces);
            size += bytes;
            items += count;
        }
        return true;
    }

    /// <summary>Reads at most one chunk (and one key beyond) of our items in the range: one pass, never the whole range.</summary>
    private List<Piece> Summarise(Pending pending, out (TimeKey Lower, TimeKey Upper)? rest)
    {
        var keys = new List<TimeKey>();
        bool whole = RangeSummary.Read(_local, pending.Lower, pending.Upper, SyncLimits.InitiatorChunk + 1, keys);
        TimeKey upper = pending.Upper;
        rest = null;
        if (!whole)
        {
            upper = SyncBounds.Between(keys[^2], keys[^1]);
            rest = (upper, pending.Upper);
            keys.RemoveAt(keys.Count - 1);
        }
        ReadOnlySpan<TimeKey> mine = CollectionsMarshal.AsSpan(keys);
        if (mine.Length <= SyncLimits.InitiatorIdListMax)
        {
            return [new Piece(SyncRange.WithIds(pending.Lower, upper, RangeSummary.IdsOf(mine)), mine.Length)];
        }
        if (!pending.Split)
        {
            return [new Piece(SyncRange.WithFingerprint(pending.Lower, upper, RangeSummary.FingerprintOf(mine)), mine.Length)];
        }
        List<SyncRange> ranges = RangeSummary.Split(mine, pending.Lower, upper);
        int per = mine.Length / ranges.Count;
        int extra = mine.Length % ranges.Count;
        return ranges.Select((range, i) => new Piece(range, per + (i < extra ? 1 : 0))).ToList();
    }

    /// <summary>Takes the peer's answer to the request <see cref="NextRequest"/> returned.</summary>
    /// <exception cref="SyncProtocolException">the answer breaks §11.8.4; the session must end.</exception>
    public void Apply(int answered, IReadOnlyList<SyncRange> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        List<Piece> sent = _inFlight ?? throw new InvalidOperationException("no request is waiting for an answer");
        _inFlight = null;
        Rounds++;
        if (answered < 1 || answered > sent.Count)
        {
            throw new SyncProtocolException($"the peer answered {answered} of {sent.Count} ranges; it must answer at least one");
        }
        // Unanswered ranges go back first, in order, already summarised.
        for (int i = sent.Count - 1; i >= answered; i--)
        {
            TierOf(sent[i].Range.Lower).AddFirst(new Pending(sent[i].Range.Lower, sent[i].Range.Upper, Split: false) { Summarised = [sent[i]] });
        }
        int j = 0;
        int inCurrent = 0;
        for (int k = 0; k < response.Count; k++)
        {
            SyncRange theirs = response[k];
            while (j < answered && !sent[j].Range.Covers(theirs))
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
            if (theirs.IsOpen)
            {
                Reopen(sent[j].Range, theirs, lastOfAnswer: k == response.Count - 1 && j == answered - 1);
                continue;
            }
            Settle(sent[j].Range, theirs);
        }
        if (Queued > SyncLimits.MaxQueuedRanges)
        {
            throw new SyncProtocolException($"the peer's answers left more than {SyncLimits.MaxQueuedRanges} ranges open");
        }
    }

    /// <summary>§11.8.4: the rest of the last answered range, which the peer's scan budget did not reach; asked again later.</summary>
    private void Reopen(SyncRange asked, SyncRange open, bool lastOfAnswer)
    {
        if (!lastOfAnswer || open.Upper != asked.Upper || open.Lower == asked.Lower)
        {
            throw new SyncProtocolException("an open range must be the strict tail of the last answered range, at the end of the answer");
        }
        TierOf(open.Lower).AddLast(new Pending(open.Lower, open.Upper, Split: false));
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
            TierOf(theirs.Lower).AddLast(new Pending(theirs.Lower, theirs.Upper, Split: true));
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
        public List<Piece>? Summarised { get; set; }
    }

    /// <summary>A range as sent, and how many of our items it summarises.</summary>
    private readonly record struct Piece(SyncRange Range, int Items);
}
