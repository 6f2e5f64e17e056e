namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>
/// The admission rules of NNRP.md §14.2 "Provider records", kept apart from storage so the
/// RocksDB store and its in-memory twin decide alike: an index of every held record's
/// metadata (not its addresses) by key, by provider and by arrival order. The caller holds
/// its own lock around every call and applies the evictions it is handed.
/// </summary>
/// <remarks>
/// Replacement, chosen over "refuse newcomers while full" (which let 100 throwaway ids lock a
/// key for 48 h) and over "evict the oldest" (which lets a flood of fresh ids flush honest
/// providers): a full key, network slot or store evicts the <em>unverified</em> record that was
/// first stored longest ago. A verified provider is never displaced, a renewal does not make a
/// record younger, and an honest newcomer is verified within seconds of arriving, after which
/// it is safe. Verified squatters are bounded by the per-network slots instead.
/// </remarks>
public sealed class ProviderLedger
{
    private readonly ProviderQuotas _quotas;
    private readonly Dictionary<KadKey, Dictionary<KadKey, Entry>> _byKey = [];
    private readonly Dictionary<KadKey, HashSet<KadKey>> _keysOfProvider = [];
    private readonly SortedSet<Entry> _byAge = new(Comparer<Entry>.Create(static (a, b) => a.Seq.CompareTo(b.Seq)));
    private long _nextSeq;

    public ProviderLedger(ProviderQuotas quotas)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        quotas.Validate();
        _quotas = quotas;
    }

    /// <summary>One held record: its key (SHA-256 of the wire key, the store's row prefix) and provider.</summary>
    public sealed class Entry(KadKey key, KadKey providerKey, byte[] providerId, long seq)
    {
        public KadKey Key { get; } = key;

        public KadKey ProviderKey { get; } = providerKey;

        public byte[] ProviderId { get; } = providerId;

        /// <summary>Order of first arrival; a renewal keeps it.</summary>
        public long Seq { get; } = seq;

        public DateTimeOffset ExpiresAt { get; set; }

        public int Bytes { get; set; }

        public ulong? Subnet { get; set; }
    }

    /// <summary>Records held; read without the caller's lock it is a snapshot (metrics, logs).</summary>
    public int Count => _byAge.Count;

    /// <summary>Bytes held (row key and value); a snapshot when read without the caller's lock.</summary>
    public long Bytes { get; private set; }

    /// <summary>Takes a record read back from disk at start (no network: it is grouped again on renewal).</summary>
    public void Load(KadKey key, KadPeer provider, DateTimeOffset expiresAt, int bytes)
    {
        var entry = new Entry(key, provider.Key, provider.Id.ToArray(), _nextSeq++) { ExpiresAt = expiresAt, Bytes = bytes };
        Insert(entry);
    }

    /// <summary>
    /// Decides on <paramref name="provider"/> for <paramref name="key"/>. On <see cref="ProviderAddResult.Added"/>
    /// or <see cref="ProviderAddResult.Renewed"/> the ledger already counts the record; the
    /// caller writes it and deletes <paramref name="evicted"/> (expired or displaced records).
    /// </summary>
    public ProviderAddResult Admit(KadKey key, KadPeer provider, DateTimeOffset expiresAt, int bytes, DateTimeOffset now, ProviderAdmission admission, List<Entry> evicted)
    {
        ProviderVerified isVerified = admission.IsVerified ?? NobodyVerified;
        if (_byKey.TryGetValue(key, out Dictionary<KadKey, Entry>? ofKey))
        {
            foreach (Entry stale in ofKey.Values.Where(e => e.ExpiresAt <= now && e.ProviderKey != provider.Key).ToArray())
            {
                Evict(stale, evicted);
            }
        }
        if (ofKey is not null && ofKey.TryGetValue(provider.Key, out Entry? held))
        {
            if (!TryMakeRoom(0, bytes - held.Bytes, held, null, now, isVerified, evicted))
            {
                return ProviderAddResult.StoreFull;
            }
            Bytes += bytes - held.Bytes;
            held.Bytes = bytes;
            held.ExpiresAt = expiresAt;
            held.Subnet = admission.Subnet ?? held.Subnet;
            return ProviderAddResult.Renewed;
        }
        if (_keysOfProvider.TryGetValue(provider.Key, out HashSet<KadKey>? keys) && keys.Count >= _quotas.MaxKeysPerProvider)
        {
            foreach (KadKey other in keys.ToArray())
            {
                if (_byKey[other][provider.Key] is { } record && record.ExpiresAt <= now)
                {
                    Evict(record, evicted);
                }
            }
            if (_keysOfProvider.TryGetValue(provider.Key, out keys) && keys.Count >= _quotas.MaxKeysPerProvider)
            {
                return ProviderAddResult.PeerQuotaFull;
            }
        }
        Entry? displaced = null;
        if (ofKey is not null && admission.Subnet is { } subnet)
        {
            Entry[] sameNetwork = ofKey.Values.Where(e => e.Subnet == subnet).ToArray();
            if (sameNetwork.Length >= _quotas.MaxProvidersPerKeyPerSubnet)
            {
                displaced = OldestUnverified(sameNetwork, isVerified);
                if (displaced is null)
                {
                    return ProviderAddResult.SubnetFull;
                }
            }
        }
        if (displaced is null && ofKey is not null && ofKey.Count >= _quotas.MaxProvidersPerKey)
        {
            displaced = OldestUnverified(ofKey.Values, isVerified);
            if (displaced is null)
            {
                return ProviderAddResult.KeyFull;
            }
        }
        if (!TryMakeRoom(1, bytes, null, displaced, now, isVerified, evicted))
        {
            return ProviderAddResult.StoreFull;
        }
        if (displaced is not null)
        {
            Evict(displaced, evicted);
        }
        Insert(new Entry(key, provider.Key, provider.Id.ToArray(), _nextSeq++) { ExpiresAt = expiresAt, Bytes = bytes, Subnet = admission.Subnet });
        return ProviderAddResult.Added;
    }

    /// <summary>Forgets one record (the caller deleted it).</summary>
    public void Forget(KadKey key, KadKey providerKey)
    {
        if (_byKey.TryGetValue(key, out Dictionary<KadKey, Entry>? ofKey) && ofKey.TryGetValue(providerKey, out Entry? entry))
        {
            Remove(entry);
        }
    }

    /// <summary>
    /// Frees room for <paramref name="records"/> more records of <paramref name="bytes"/> more
    /// bytes under the store-wide budget: first expired records anywhere, then the oldest
    /// unverified ones (never <paramref name="keep"/>). Evicts nothing unless it all fits.
    /// </summary>
    private bool TryMakeRoom(int records, int bytes, Entry? keep, Entry? alreadyGoing, DateTimeOffset now, ProviderVerified isVerified, List<Entry> evicted)
    {
        int count = Count + records - (alreadyGoing is null ? 0 : 1);
        long size = Bytes + bytes - (alreadyGoing?.Bytes ?? 0);
        if (count <= _quotas.MaxRecords && size <= _quotas.MaxBytes)
        {
            return true;
        }
        foreach (Entry stale in _byAge.Where(e => e.ExpiresAt <= now && e != keep && e != alreadyGoing).ToArray())
        {
            Evict(stale, evicted);
        }
        count = Count + records - (alreadyGoing is null ? 0 : 1);
        size = Bytes + bytes - (alreadyGoing?.Bytes ?? 0);
        var victims = new List<Entry>();
        foreach (Entry e in _byAge)
        {
            if (count <= _quotas.MaxRecords && size <= _quotas.MaxBytes)
            {
                break;
            }
            if (e != keep && e != alreadyGoing && !isVerified(e.ProviderId))
            {
                victims.Add(e);
                count--;
                size -= e.Bytes;
            }
        }
        if (count > _quotas.MaxRecords || size > _quotas.MaxBytes)
        {
            return false;
        }
        foreach (Entry victim in victims)
        {
            Evict(victim, evicted);
        }
        return true;
    }

    private static Entry? OldestUnverified(IEnumerable<Entry> candidates, ProviderVerified isVerified)
    {
        Entry? oldest = null;
        foreach (Entry e in candidates)
        {
            if ((oldest is null || e.Seq < oldest.Seq) && !isVerified(e.ProviderId))
            {
                oldest = e;
            }
        }
        return oldest;
    }

    private void Evict(Entry entry, List<Entry> evicted)
    {
        Remove(entry);
        evicted.Add(entry);
    }

    private void Insert(Entry entry)
    {
        if (!_byKey.TryGetValue(entry.Key, out Dictionary<KadKey, Entry>? ofKey))
        {
            _byKey[entry.Key] = ofKey = [];
        }
        if (ofKey.Remove(entry.ProviderKey, out Entry? previous))
        {
            _byAge.Remove(previous);
            Bytes -= previous.Bytes;
        }
        ofKey[entry.ProviderKey] = entry;
        if (!_keysOfProvider.TryGetValue(entry.ProviderKey, out HashSet<KadKey>? keys))
        {
            _keysOfProvider[entry.ProviderKey] = keys = [];
        }
        keys.Add(entry.Key);
        _byAge.Add(entry);
        Bytes += entry.Bytes;
    }

    private void Remove(Entry entry)
    {
        Dictionary<KadKey, Entry> ofKey = _byKey[entry.Key];
        ofKey.Remove(entry.ProviderKey);
        if (ofKey.Count == 0)
        {
            _byKey.Remove(entry.Key);
        }
        HashSet<KadKey> keys = _keysOfProvider[entry.ProviderKey];
        keys.Remove(entry.Key);
        if (keys.Count == 0)
        {
            _keysOfProvider.Remove(entry.ProviderKey);
        }
        _byAge.Remove(entry);
        Bytes -= entry.Bytes;
    }

    private static bool NobodyVerified(ReadOnlySpan<byte> providerId) => false;
}
