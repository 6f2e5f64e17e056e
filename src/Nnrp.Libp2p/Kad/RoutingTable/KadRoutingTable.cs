namespace Nnrp.Libp2p.Kad.RoutingTable;

/// <summary>
/// The Kademlia routing table (kad-dht/README.md "Kademlia routing table"): bucket <c>L</c>
/// holds up to k peers whose keys share exactly <c>L</c> leading bits with ours, for
/// <c>L</c> in 0..255. A plain state machine: callers report what happened (a peer answered,
/// a request failed) and get back what to do (ping this stale peer); it does no I/O.
/// Peers enter only after a successful exchange, so the table holds live, reachable peers.
/// </summary>
public sealed class KadRoutingTable
{
    private readonly Bucket[] _buckets = new Bucket[KadKey.Bits];
    private readonly RoutingTableOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private int _count;

    public KadRoutingTable(KadKey localKey, RoutingTableOptions? options = null, TimeProvider? time = null)
    {
        LocalKey = localKey;
        _options = options ?? new RoutingTableOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BucketSize, 1);
        _time = time ?? TimeProvider.System;
        DateTimeOffset now = _time.GetUtcNow();
        for (int i = 0; i < _buckets.Length; i++)
        {
            // A new table has never refreshed anything: every bucket is due at once.
            _buckets[i] = new Bucket { LastRefreshed = now - _options.RefreshInterval };
        }
    }

    public KadKey LocalKey { get; }

    public RoutingTableOptions Options => _options;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>A peer became a member (added, or promoted from a replacement cache); raised outside the lock.</summary>
    public event Action<KadPeer>? PeerAdded;

    /// <summary>A peer was evicted (raised outside the lock).</summary>
    public event Action<KadPeer>? PeerRemoved;

    /// <summary>The bucket index of <paramref name="key"/>: its common prefix length with us.</summary>
    public int BucketIndexOf(KadKey key) => Math.Min(LocalKey.CommonPrefixLength(key), KadKey.Bits - 1);

    /// <summary>
    /// Records a successful exchange with <paramref name="peer"/> (it answered a request of
    /// ours, or sent us a valid one while advertising the DHT protocol in server mode).
    /// </summary>
    public RoutingTableUpdate TryAdd(KadPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.Key == LocalKey)
        {
            return new(RoutingTableUpdateKind.Rejected);
        }
        DateTimeOffset now = _time.GetUtcNow();
        RoutingTableUpdate update;
        lock (_lock)
        {
            Bucket bucket = _buckets[BucketIndexOf(peer.Key)];
            int index = bucket.IndexOf(peer.Key);
            if (index >= 0)
            {
                Bucket.Entry entry = bucket.Members[index];
                bucket.Members.RemoveAt(index);
                entry.LastSeen = now;
                entry.Failures = 0;
                if (peer.Addresses.Count > 0)
                {
                    entry.Peer = peer;
                }
                bucket.Members.Add(entry);
                return new(RoutingTableUpdateKind.Refreshed);
            }
            if (bucket.Members.Count < _options.BucketSize)
            {
                bucket.Replacements.RemoveAll(p => p.Key == peer.Key);
                bucket.Members.Add(new Bucket.Entry(peer, now));
                _count++;
                update = new(RoutingTableUpdateKind.Added);
            }
            else
            {
                bucket.AddReplacement(peer, _options.ReplacementCacheSize);
                Bucket.Entry oldest = bucket.Members[0];
                update = now - oldest.LastSeen >= _options.StaleAfter
                    ? new(RoutingTableUpdateKind.PendingProbe, oldest.Peer)
                    : new(RoutingTableUpdateKind.Cached);
            }
        }
        if (update.Kind == RoutingTableUpdateKind.Added)
        {
            PeerAdded?.Invoke(peer);
        }
        return update;
    }

    /// <summary>
    /// A request to the peer failed or timed out. After <see cref="RoutingTableOptions.MaxConsecutiveFailures"/>
    /// in a row it is evicted and the newest replacement takes its place. Returns true on eviction.
    /// </summary>
    public bool RecordFailure(KadKey key)
    {
        lock (_lock)
        {
            Bucket bucket = _buckets[BucketIndexOf(key)];
            int index = bucket.IndexOf(key);
            if (index < 0)
            {
                bucket.Replacements.RemoveAll(p => p.Key == key);
                return false;
            }
            if (++bucket.Members[index].Failures < _options.MaxConsecutiveFailures)
            {
                return false;
            }
        }
        return Remove(key);
    }

    /// <summary>Evicts the peer (a failed liveness probe, or it left) and promotes a replacement.</summary>
    public bool Remove(KadKey key)
    {
        KadPeer removed;
        KadPeer? promoted;
        lock (_lock)
        {
            Bucket bucket = _buckets[BucketIndexOf(key)];
            int index = bucket.IndexOf(key);
            if (index < 0)
            {
                return false;
            }
            removed = bucket.Members[index].Peer;
            bucket.Members.RemoveAt(index);
            _count--;
            // A replacement was seen recently but has not been re-checked since: it goes in at
            // the least-recently-seen end, so it is the first probed if the bucket fills again.
            promoted = bucket.PopReplacement();
            if (promoted is not null)
            {
                bucket.Members.Insert(0, new Bucket.Entry(promoted, _time.GetUtcNow()));
                _count++;
            }
        }
        PeerRemoved?.Invoke(removed);
        if (promoted is not null)
        {
            PeerAdded?.Invoke(promoted);
        }
        return true;
    }

    public bool Contains(KadKey key)
    {
        lock (_lock)
        {
            return _buckets[BucketIndexOf(key)].IndexOf(key) >= 0;
        }
    }

    public KadPeer? Find(KadKey key)
    {
        lock (_lock)
        {
            Bucket bucket = _buckets[BucketIndexOf(key)];
            int index = bucket.IndexOf(key);
            return index >= 0 ? bucket.Members[index].Peer : null;
        }
    }

    /// <summary>The <paramref name="count"/> members closest to <paramref name="target"/>, nearest first.</summary>
    public IReadOnlyList<KadPeer> NearestPeers(KadKey target, int count)
    {
        var all = new List<KadPeer>(Math.Min(_count, 1024));
        lock (_lock)
        {
            foreach (Bucket bucket in _buckets)
            {
                foreach (Bucket.Entry entry in bucket.Members)
                {
                    all.Add(entry.Peer);
                }
            }
        }
        all.Sort((a, b) => target.CompareDistance(a.Key, b.Key));
        return all.Count <= count ? all : all.GetRange(0, count);
    }

    /// <summary>Every member, bucket by bucket (what is persisted across restarts).</summary>
    public IReadOnlyList<KadPeer> AllPeers() => NearestPeers(LocalKey, int.MaxValue);

    /// <summary>Members of bucket <paramref name="index"/>, least- to most-recently seen.</summary>
    public IReadOnlyList<KadPeer> BucketMembers(int index)
    {
        lock (_lock)
        {
            return _buckets[index].Members.Select(static e => e.Peer).ToArray();
        }
    }

    /// <summary>Replacement candidates of bucket <paramref name="index"/>, oldest first.</summary>
    public IReadOnlyList<KadPeer> BucketReplacements(int index)
    {
        lock (_lock)
        {
            return _buckets[index].Replacements.ToArray();
        }
    }

    /// <summary>
    /// Bucket indexes whose refresh is due: untouched for <see cref="RoutingTableOptions.RefreshInterval"/>,
    /// up to one past the deepest non-empty bucket and at most <see cref="RoutingTableOptions.MaxRefreshPrefixLength"/>.
    /// A lookup for <see cref="RandomKeyInBucket"/> of each refreshes it.
    /// </summary>
    public IReadOnlyList<int> BucketsDueForRefresh()
    {
        DateTimeOffset now = _time.GetUtcNow();
        var due = new List<int>();
        lock (_lock)
        {
            int deepest = -1;
            for (int i = _buckets.Length - 1; i >= 0; i--)
            {
                if (_buckets[i].Members.Count > 0)
                {
                    deepest = i;
                    break;
                }
            }
            int last = Math.Min(deepest + 1, _options.MaxRefreshPrefixLength);
            for (int i = 0; i <= last; i++)
            {
                if (now - _buckets[i].LastRefreshed >= _options.RefreshInterval)
                {
                    due.Add(i);
                }
            }
        }
        return due;
    }

    /// <summary>
    /// Key bytes (shaped like a sha2-256 peer id) whose Kad key falls in bucket
    /// <paramref name="index"/>: the FIND_NODE target of a refresh. Receivers hash what we send,
    /// so a preimage is needed; finding one takes about 2^(index+1) hashes, which is why
    /// refreshes stop at <see cref="RoutingTableOptions.MaxRefreshPrefixLength"/>.
    /// </summary>
    public byte[] RandomKeyInBucket(int index) => RandomKeyAt(LocalKey, index);

    /// <summary>
    /// Key bytes whose Kad key shares exactly <paramref name="commonPrefixLength"/> leading bits
    /// with <paramref name="around"/>: a key in bucket <paramref name="commonPrefixLength"/> of
    /// a table centred on <paramref name="around"/> (the crawler asks other peers' buckets).
    /// </summary>
    public static byte[] RandomKeyAt(KadKey around, int commonPrefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(commonPrefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(commonPrefixLength, MaxSearchablePrefixLength);
        var key = new byte[2 + KadKey.Length];
        key[0] = 0x12; // multihash sha2-256
        key[1] = KadKey.Length;
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(key.AsSpan(2));
            if (Math.Min(around.CommonPrefixLength(KadKey.Hash(key)), KadKey.Bits - 1) == commonPrefixLength)
            {
                return key;
            }
        }
    }

    /// <summary>Deepest bucket <see cref="RandomKeyInBucket"/> searches for (2^21 hashes, well under a second).</summary>
    public const int MaxSearchablePrefixLength = 20;

    /// <summary>A lookup for <paramref name="target"/> ran: its bucket counts as refreshed.</summary>
    public void MarkRefreshed(KadKey target)
    {
        lock (_lock)
        {
            _buckets[BucketIndexOf(target)].LastRefreshed = _time.GetUtcNow();
        }
    }
}
