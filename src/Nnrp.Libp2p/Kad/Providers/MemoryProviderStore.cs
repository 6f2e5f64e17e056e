namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>The in-memory twin of <see cref="RocksDbProviderStore"/>, same rules, nothing persisted.</summary>
public sealed class MemoryProviderStore(int maxProvidersPerKey = KadOptions.DefaultMaxProvidersPerKey) : IProviderStore
{
    private readonly Dictionary<KadKey, Dictionary<KadKey, ProviderRecord>> _records = [];
    private readonly Lock _lock = new();

    public int MaxProvidersPerKey { get; } = maxProvidersPerKey;

    public ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(provider);
        KadKey k = KadKey.Hash(key);
        lock (_lock)
        {
            if (!_records.TryGetValue(k, out Dictionary<KadKey, ProviderRecord>? providers))
            {
                _records[k] = providers = [];
            }
            bool renewed = providers.ContainsKey(provider.Key);
            if (!renewed && providers.Values.Count(r => r.ExpiresAt > now) >= MaxProvidersPerKey)
            {
                return ProviderAddResult.KeyFull;
            }
            providers[provider.Key] = new ProviderRecord(provider, expiresAt);
            return renewed ? ProviderAddResult.Renewed : ProviderAddResult.Added;
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
