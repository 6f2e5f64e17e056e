namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>The in-memory twin of <c>RocksDbProviderStore</c> (Nnrp.Node), same rules, nothing persisted.</summary>
public sealed class MemoryProviderStore(ProviderQuotas? quotas = null) : IProviderStore
{
    private readonly Dictionary<KadKey, Dictionary<KadKey, ProviderRecord>> _records = [];
    private readonly ProviderLedger _ledger = new(quotas ?? new ProviderQuotas());
    private readonly Lock _lock = new();

    public ProviderQuotas Quotas { get; } = quotas ?? new ProviderQuotas();

    public int Count => _ledger.Count;

    public long Bytes => _ledger.Bytes;

    public ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now, ProviderAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(provider);
        KadKey k = KadKey.Hash(key);
        var evicted = new List<ProviderLedger.Entry>();
        lock (_lock)
        {
            ProviderAddResult result = _ledger.Admit(k, provider, expiresAt, ProviderRecordCodec.StoredSize(provider), now, admission, evicted);
            foreach (ProviderLedger.Entry gone in evicted)
            {
                Dictionary<KadKey, ProviderRecord> ofKey = _records[gone.Key];
                ofKey.Remove(gone.ProviderKey);
                if (ofKey.Count == 0)
                {
                    _records.Remove(gone.Key);
                }
            }
            if (result is ProviderAddResult.Added or ProviderAddResult.Renewed)
            {
                if (!_records.TryGetValue(k, out Dictionary<KadKey, ProviderRecord>? providers))
                {
                    _records[k] = providers = [];
                }
                providers[provider.Key] = new ProviderRecord(provider, expiresAt);
            }
            return result;
        }
    }

    public IReadOnlyList<ProviderRecord> Get(ReadOnlySpan<byte> key, DateTimeOffset now, int max)
    {
        KadKey k = KadKey.Hash(key);
        lock (_lock)
        {
            if (!_records.TryGetValue(k, out Dictionary<KadKey, ProviderRecord>? providers))
            {
                return [];
            }
            return providers.Values.Where(r => r.ExpiresAt > now).OrderByDescending(static r => r.ExpiresAt).Take(max).ToArray();
        }
    }

    public int RemoveExpired(DateTimeOffset now)
    {
        int removed = 0;
        lock (_lock)
        {
            foreach ((KadKey key, Dictionary<KadKey, ProviderRecord> providers) in _records.ToArray())
            {
                foreach ((KadKey provider, ProviderRecord record) in providers.ToArray())
                {
                    if (record.ExpiresAt <= now)
                    {
                        providers.Remove(provider);
                        _ledger.Forget(key, provider);
                        removed++;
                    }
                }
                if (providers.Count == 0)
                {
                    _records.Remove(key);
                }
            }
        }
        return removed;
    }

    public void Dispose()
    {
    }
}
