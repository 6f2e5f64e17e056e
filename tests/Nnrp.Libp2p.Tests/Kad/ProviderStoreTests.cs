using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>The rules every provider store keeps; run against the in-memory twin and RocksDB.</summary>
public abstract class ProviderStoreRules : IDisposable
{
    protected static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected static readonly TimeSpan Ttl = KadOptions.DefaultProviderTtl;

    protected abstract IProviderStore Store { get; }

    public virtual void Dispose() => Store.Dispose();

    [Fact]
    public void Added_provider_is_returned_with_its_addresses()
    {
        byte[] key = ShardKeys.WireKey(0, 0);
        KadPeer provider = KadTestPeers.Random("/ip4/203.0.113.7/tcp/4001", "/dns4/node.example.org/tcp/4001");
        Assert.Equal(ProviderAddResult.Added, Store.Add(key, provider, Now + Ttl, Now));
        ProviderRecord record = Assert.Single(Store.Get(key, Now, 20));
        Assert.Equal(provider, record.Provider);
        Assert.Equal(provider.Addresses, record.Provider.Addresses);
        Assert.Equal(Now + Ttl, record.ExpiresAt);
        Assert.Empty(Store.Get(ShardKeys.WireKey(1, 0), Now, 20));
    }

    [Fact]
    public void Repeated_add_renews_the_one_record_of_that_provider()
    {
        byte[] key = ShardKeys.WireKey(1, 1);
        KadPeer provider = KadTestPeers.Random("/ip4/203.0.113.7/tcp/4001");
        Store.Add(key, provider, Now + Ttl, Now);
        KadPeer moved = provider.WithAddresses([Multiaddr.Parse("/ip4/203.0.113.8/tcp/4002")]);
        Assert.Equal(ProviderAddResult.Renewed, Store.Add(key, moved, Now + Ttl + TimeSpan.FromHours(1), Now));
        ProviderRecord record = Assert.Single(Store.Get(key, Now, 20));
        Assert.Equal(moved.Addresses, record.Provider.Addresses);
        Assert.Equal(Now + Ttl + TimeSpan.FromHours(1), record.ExpiresAt);
    }

    [Fact]
    public void Key_at_its_provider_limit_refuses_new_providers_but_renews_old_ones()
    {
        byte[] key = ShardKeys.WireKey(2, 3);
        KadPeer[] providers = Enumerable.Range(0, Store.MaxProvidersPerKey).Select(_ => KadTestPeers.Random()).ToArray();
        foreach (KadPeer p in providers)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(key, p, Now + Ttl, Now));
        }
        Assert.Equal(ProviderAddResult.KeyFull, Store.Add(key, KadTestPeers.Random(), Now + Ttl, Now));
        Assert.Equal(ProviderAddResult.Renewed, Store.Add(key, providers[0], Now + Ttl, Now));
        Assert.Equal(Store.MaxProvidersPerKey, Store.Get(key, Now, 1000).Count);
    }

    [Fact]
    public void Expired_records_are_not_returned_and_free_their_place()
    {
        byte[] key = ShardKeys.WireKey(2, 2);
        KadPeer[] providers = Enumerable.Range(0, Store.MaxProvidersPerKey).Select(_ => KadTestPeers.Random()).ToArray();
        foreach (KadPeer p in providers)
        {
            Store.Add(key, p, Now + TimeSpan.FromHours(1), Now);
        }
        DateTimeOffset later = Now + TimeSpan.FromHours(1);
        Assert.Empty(Store.Get(key, later, 1000));
        Assert.Equal(ProviderAddResult.Added, Store.Add(key, KadTestPeers.Random(), later + Ttl, later));
    }

    [Fact]
    public void Sweep_deletes_exactly_the_expired_records()
    {
        byte[] a = ShardKeys.WireKey(3, 0), b = ShardKeys.WireKey(3, 1);
        Store.Add(a, KadTestPeers.Random(), Now + TimeSpan.FromHours(1), Now);
        Store.Add(b, KadTestPeers.Random(), Now + TimeSpan.FromHours(1), Now);
        KadPeer keeper = KadTestPeers.Random();
        Store.Add(b, keeper, Now + Ttl, Now);
        Assert.Equal(2, Store.RemoveExpired(Now + TimeSpan.FromHours(2)));
        Assert.Equal(0, Store.RemoveExpired(Now + TimeSpan.FromHours(2)));
        Assert.Empty(Store.Get(a, Now, 20));
        Assert.Equal(keeper, Assert.Single(Store.Get(b, Now, 20)).Provider);
    }

    [Fact]
    public void Get_returns_at_most_max_latest_expiring_first()
    {
        byte[] key = ShardKeys.WireKey(4, 4);
        for (int i = 0; i < Store.MaxProvidersPerKey; i++)
        {
            Store.Add(key, KadTestPeers.Random(), Now + TimeSpan.FromMinutes(10 + i), Now);
        }
        int last = 10 + Store.MaxProvidersPerKey - 1;
        IReadOnlyList<ProviderRecord> records = Store.Get(key, Now, 3);
        Assert.Equal([Now + TimeSpan.FromMinutes(last), Now + TimeSpan.FromMinutes(last - 1), Now + TimeSpan.FromMinutes(last - 2)], records.Select(r => r.ExpiresAt));
    }
}

public sealed class MemoryProviderStoreTests : ProviderStoreRules
{
    protected override IProviderStore Store { get; } = new MemoryProviderStore(maxProvidersPerKey: 5);
}

public sealed class RocksDbProviderStoreTests : ProviderStoreRules
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "nnrp-kad-" + Guid.NewGuid().ToString("N"));
    private IProviderStore _store;

    public RocksDbProviderStoreTests()
    {
        _store = RocksDbProviderStore.Open(_path, maxProvidersPerKey: 5);
    }

    protected override IProviderStore Store => _store;

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_path, recursive: true);
    }

    [Fact]
    public void Records_survive_closing_and_reopening_the_database()
    {
        byte[] key = ShardKeys.WireKey(5, 17);
        KadPeer provider = KadTestPeers.Random("/ip4/198.51.100.1/tcp/4001");
        _store.Add(key, provider, Now + Ttl, Now);
        _store.Dispose();
        _store = RocksDbProviderStore.Open(_path, maxProvidersPerKey: 5);
        ProviderRecord record = Assert.Single(_store.Get(key, Now, 20));
        Assert.Equal(provider, record.Provider);
        Assert.Equal(provider.Addresses, record.Provider.Addresses);
    }
}
