namespace Nnrp.Libp2p.Kad.Query;

/// <summary>
/// The iterative lookup of kad-dht/README.md "Peer routing" as a state machine with no I/O.
/// The driver asks <see cref="NextQueries"/> which peers to send the request to, reports each
/// outcome with <see cref="OnSuccess"/> / <see cref="OnFailure"/>, and stops when
/// <see cref="IsFinished"/>:
/// <list type="number">
/// <item>"The lookup terminates when the initiator has queried and gotten responses from the
/// k closest nodes it has seen" — or has run out of candidates, or hit <see cref="LookupOptions.MaxQueries"/>.</item>
/// <item>At most α requests are in flight; only candidates among the k closest not-yet-failed
/// ones are queried, since a response from further away cannot change the result.</item>
/// </list>
/// The same machine drives FIND_NODE, GET_PROVIDERS and GET_VALUE walks. Not thread-safe.
/// </summary>
public sealed class ClosestPeersLookup
{
    private enum State
    {
        NotContacted,
        InFlight,
        Succeeded,
        Failed,
    }

    private sealed class Candidate(KadPeer peer, KadKey distance)
    {
        public KadPeer Peer { get; } = peer;

        public KadKey Distance { get; } = distance;

        public State State { get; set; }
    }

    /// <summary>Candidates kept, nearest first; a bound on memory under a flood of fake peers.</summary>
    private readonly int _maxCandidates;
    private readonly List<Candidate> _candidates = [];
    private readonly Dictionary<KadKey, Candidate> _byKey = [];
    private readonly LookupOptions _options;
    private readonly KadKey? _self;
    private int _inFlight;
    private bool _stopped;

    public ClosestPeersLookup(KadKey target, IEnumerable<KadPeer> seeds, LookupOptions? options = null, KadKey? self = null)
    {
        Target = target;
        _options = options ?? new LookupOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Alpha, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ResultCount, 1);
        _maxCandidates = Math.Max(_options.ResultCount * 8, 64);
        _self = self;
        foreach (KadPeer seed in seeds)
        {
            AddCandidate(seed);
        }
    }

    public KadKey Target { get; }

    /// <summary>Requests handed out so far.</summary>
    public int QueriesSent { get; private set; }

    public int InFlight => _inFlight;

    /// <summary>True once the k closest seen have answered, nothing is left to ask, the query bound is hit, or <see cref="Stop"/> was called.</summary>
    public bool IsFinished
    {
        get
        {
            if (_stopped)
            {
                return true;
            }
            int considered = 0;
            bool pending = false;
            foreach (Candidate c in _candidates)
            {
                if (c.State == State.Failed)
                {
                    continue;
                }
                if (c.State != State.Succeeded)
                {
                    pending = true;
                    break;
                }
                if (++considered == _options.ResultCount)
                {
                    break;
                }
            }
            if (!pending)
            {
                return true;
            }
            return QueriesSent >= _options.MaxQueries && _inFlight == 0;
        }
    }

    /// <summary>Ends the lookup early (a FindProviders caller has enough); later outcomes are ignored.</summary>
    public void Stop() => _stopped = true;

    /// <summary>
    /// The peers to send the request to now (marked in flight), nearest first, keeping at most
    /// α outstanding. Empty when nothing may be sent yet or the lookup is finished.
    /// </summary>
    public IReadOnlyList<KadPeer> NextQueries()
    {
        if (IsFinished)
        {
            return [];
        }
        var next = new List<KadPeer>();
        int considered = 0;
        foreach (Candidate c in _candidates)
        {
            if (_inFlight >= _options.Alpha || QueriesSent >= _options.MaxQueries || considered >= _options.ResultCount)
            {
                break;
            }
            if (c.State == State.Failed)
            {
                continue;
            }
            considered++;
            if (c.State == State.NotContacted)
            {
                c.State = State.InFlight;
                _inFlight++;
                QueriesSent++;
                next.Add(c.Peer);
            }
        }
        return next;
    }

    /// <summary>The peer answered; its closer peers become candidates (except ones already known).</summary>
    public void OnSuccess(KadPeer peer, IEnumerable<KadPeer> closerPeers)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!Complete(peer, State.Succeeded))
        {
            return;
        }
        foreach (KadPeer closer in closerPeers)
        {
            AddCandidate(closer);
        }
    }

    /// <summary>The request failed or timed out; the peer is dropped from the result.</summary>
    public void OnFailure(KadPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        Complete(peer, State.Failed);
    }

    /// <summary>Up to k peers that answered, nearest to the target first.</summary>
    public IReadOnlyList<KadPeer> ClosestPeers() =>
        _candidates.Where(static c => c.State == State.Succeeded).Take(_options.ResultCount).Select(static c => c.Peer).ToArray();

    private bool Complete(KadPeer peer, State outcome)
    {
        if (!_byKey.TryGetValue(peer.Key, out Candidate? c) || c.State != State.InFlight)
        {
            return false;
        }
        c.State = outcome;
        _inFlight--;
        return !_stopped;
    }

    private void AddCandidate(KadPeer peer)
    {
        if ((_self is { } self && peer.Key == self) || _byKey.ContainsKey(peer.Key))
        {
            return;
        }
        var candidate = new Candidate(peer, Target.Distance(peer.Key));
        int index = _candidates.BinarySearch(candidate, DistanceComparer.Instance);
        if (index < 0)
        {
            index = ~index;
        }
        if (index >= _maxCandidates)
        {
            return;
        }
        _candidates.Insert(index, candidate);
        _byKey[peer.Key] = candidate;
        if (_candidates.Count > _maxCandidates)
        {
            Candidate dropped = _candidates[^1];
            if (dropped.State == State.NotContacted)
            {
                _candidates.RemoveAt(_candidates.Count - 1);
                _byKey.Remove(dropped.Peer.Key);
            }
        }
    }

    private sealed class DistanceComparer : IComparer<Candidate>
    {
        public static readonly DistanceComparer Instance = new();

        public int Compare(Candidate? x, Candidate? y) => x!.Distance.CompareTo(y!.Distance);
    }
}
