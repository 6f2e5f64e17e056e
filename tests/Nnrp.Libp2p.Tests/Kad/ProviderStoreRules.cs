using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>The rules every provider store keeps; run against the in-memory twin and RocksDB.</summary>
public abstract class ProviderStoreRules : IDisposable
{
    protected static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected static readonly TimeSpan Ttl = KadOptions.DefaultProviderTtl;

    /// <summary>Small quotas so every bound is reached in a few records.</summary>
    protected static readonly ProviderQuotas Quotas = new()
    {
        MaxProvidersPerKey = 5,
        MaxProvidersPerKeyPerSubnet = 3,
        MaxKeysPerProvider = 4,
        MaxRecords = 12,
    };

    protected abstract IProviderStore Store { get; }

    /// <summary>Another store of the same kind, with other quotas; the caller disposes it.</summary>
    protected abstract IProviderStore Create(ProviderQuotas quotas);

    public virtual void Dispose() => Store.Dispose();

    [Fact]
    public void Added_provider_is_returned_with_its_addresses()
    {
        byte[] key = KadTestKeys.Key(0, 0);
        KadPeer provider = KadTestPeers.Random("/ip4/203.0.113.7/tcp/4001", "/dns4/node.example.org/tcp/4001");
        Assert.Equal(ProviderAddResult.Added, Store.Add(key, provider, Now + Ttl, Now));
        ProviderRecord record = Assert.Single(Store.Get(key, Now, 20));
        Assert.Equal(provider, record.Provider);
        Assert.Equal(provider.Addresses, record.Provider.Addresses);
        Assert.Equal(Now + Ttl, record.ExpiresAt);
        Assert.Empty(Store.Get(KadTestKeys.Key(1, 0), Now, 20));
    }

    [Fact]
    public void Repeated_add_renews_the_one_record_of_that_provider()
    {
        byte[] key = KadTestKeys.Key(1, 1);
        KadPeer provider = KadTestPeers.Random("/ip4/203.0.113.7/tcp/4001");
        Store.Add(key, provider, Now + Ttl, Now);
        KadPeer moved = provider.WithAddresses([Multiaddr.Parse("/ip4/203.0.113.8/tcp/4002")]);
        Assert.Equal(ProviderAddResult.Renewed, Store.Add(key, moved, Now + Ttl + TimeSpan.FromHours(1), Now));
        ProviderRecord record = Assert.Single(Store.Get(key, Now, 20));
        Assert.Equal(moved.Addresses, record.Provider.Addresses);
        Assert.Equal(Now + Ttl + TimeSpan.FromHours(1), record.ExpiresAt);
    }

    [Fact]
    public void Key_full_of_verified_providers_refuses_newcomers_but_renews_old_ones()
    {
        byte[] key = KadTestKeys.Key(2, 3);
        KadPeer[] providers = Enumerable.Range(0, Store.MaxProvidersPerKey).Select(_ => KadTestPeers.Random()).ToArray();
        HashSet<KadKey> keys = providers.Select(p => p.Key).ToHashSet();
        var verified = new ProviderAdmission(null, id => keys.Contains(KadKey.Hash(id)));
        foreach (KadPeer p in providers)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(key, p, Now + Ttl, Now, verified));
        }
        Assert.Equal(ProviderAddResult.KeyFull, Store.Add(key, KadTestPeers.Random(), Now + Ttl, Now, verified));
        Assert.Equal(ProviderAddResult.Renewed, Store.Add(key, providers[0], Now + Ttl, Now, verified));
        Assert.Equal(Store.MaxProvidersPerKey, Store.Get(key, Now, 1000).Count);
    }

    [Fact]
    public void Key_full_of_unverified_providers_evicts_the_one_stored_longest_ago()
    {
        // Issue 12 attack 6: squatters used to lock a full key for 48 h; now a newcomer displaces
        // the oldest unverified record, and renewing does not make a squatter younger.
        byte[] key = KadTestKeys.Key(2, 3);
        KadPeer[] squatters = Enumerable.Range(0, Store.MaxProvidersPerKey).Select(_ => KadTestPeers.Random()).ToArray();
        foreach (KadPeer p in squatters)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(key, p, Now + Ttl, Now));
        }
        Assert.Equal(ProviderAddResult.Renewed, Store.Add(key, squatters[0], Now + Ttl, Now));
        KadPeer newcomer = KadTestPeers.Random();
        Assert.Equal(ProviderAddResult.Added, Store.Add(key, newcomer, Now + Ttl, Now));
        IReadOnlyList<KadPeer> held = Store.Get(key, Now, 1000).Select(r => r.Provider).ToArray();
        Assert.Equal(Store.MaxProvidersPerKey, held.Count);
        Assert.Contains(newcomer, held);
        Assert.DoesNotContain(squatters[0], held);
    }

    [Fact]
    public void Verified_provider_outlives_a_flood_of_fresh_ids_on_its_key()
    {
        byte[] key = KadTestKeys.Key(0, 0);
        KadPeer honest = KadTestPeers.Random();
        var admission = new ProviderAdmission(null, id => id.SequenceEqual(honest.Id.Span));
        Assert.Equal(ProviderAddResult.Added, Store.Add(key, honest, Now + Ttl, Now, admission));
        for (int i = 0; i < 10 * Store.MaxProvidersPerKey; i++)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(key, KadTestPeers.Random(), Now + Ttl, Now, admission));
        }
        Assert.Contains(honest, Store.Get(key, Now, 1000).Select(r => r.Provider));
        Assert.Equal(Store.MaxProvidersPerKey, Store.Get(key, Now, 1000).Count);
    }

    [Fact]
    public void One_network_gets_a_limited_share_of_a_key()
    {
        byte[] key = KadTestKeys.Key(1, 0);
        int share = Store.Quotas.MaxProvidersPerKeyPerSubnet;
        var fromSquatNet = new ProviderAdmission(0x04_00_0000_00CB_0071UL, id => true);
        for (int i = 0; i < share; i++)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(key, KadTestPeers.Random(), Now + Ttl, Now, fromSquatNet));
        }
        // Even verified, one network cannot take more; another network still gets in.
        Assert.Equal(ProviderAddResult.SubnetFull, Store.Add(key, KadTestPeers.Random(), Now + Ttl, Now, fromSquatNet));
        Assert.Equal(ProviderAddResult.Added, Store.Add(key, KadTestPeers.Random(), Now + Ttl, Now, new ProviderAdmission(0x04_00_0000_00C6_3364UL, null)));
        Assert.Equal(share + 1, Store.Get(key, Now, 1000).Count);
    }

    [Fact]
    public void Provider_may_provide_a_limited_number_of_keys()
    {
        KadPeer greedy = KadTestPeers.Random();
        int quota = Store.Quotas.MaxKeysPerProvider;
        for (uint i = 0; i < quota; i++)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(KadTestKeys.Key(8, i), greedy, Now + TimeSpan.FromHours(1), Now));
        }
        Assert.Equal(ProviderAddResult.PeerQuotaFull, Store.Add(KadTestKeys.Key(8, 200), greedy, Now + Ttl, Now));
        Assert.Equal(ProviderAddResult.Renewed, Store.Add(KadTestKeys.Key(8, 0), greedy, Now + Ttl, Now));
        Assert.Equal(ProviderAddResult.Added, Store.Add(KadTestKeys.Key(8, 200), KadTestPeers.Random(), Now + Ttl, Now));
        // Expired records free the peer's quota.
        DateTimeOffset later = Now + TimeSpan.FromHours(2);
        Assert.Equal(ProviderAddResult.Added, Store.Add(KadTestKeys.Key(8, 200), greedy, later + Ttl, later));
    }

    [Fact]
    public void Store_at_its_record_budget_evicts_the_oldest_unverified_record_anywhere()
    {
        int total = Store.Quotas.MaxRecords;
        KadPeer first = KadTestPeers.Random();
        Assert.Equal(ProviderAddResult.Added, Store.Add(KadTestKeys.Key(16, 0), first, Now + Ttl, Now));
        for (uint i = 1; i < total; i++)
        {
            Assert.Equal(ProviderAddResult.Added, Store.Add(KadTestKeys.Key(16, i), KadTestPeers.Random(), Now + Ttl, Now));
        }
        Assert.Equal(total, Store.Count);
        KadPeer newcomer = KadTestPeers.Random();
        Assert.Equal(ProviderAddResult.Added, Store.Add(KadTestKeys.Key(0, 0), newcomer, Now + Ttl, Now));
        Assert.Equal(total, Store.Count);
        Assert.Empty(Store.Get(KadTestKeys.Key(16, 0), Now, 20));
        Assert.Equal(newcomer, Assert.Single(Store.Get(KadTestKeys.Key(0, 0), Now, 20)).Provider);
    }

    [Fact]
    public void Store_at_its_budget_of_verified_records_refuses_newcomers()
    {
        int total = Store.Quotas.MaxRecords;
        var everyoneVerified = new ProviderAdmission(null, id => true);
        for (uint i = 0; i < total; i++)
        {
            Store.Add(KadTestKeys.Key(16, i), KadTestPeers.Random(), Now + Ttl, Now, everyoneVerified);
        }
        Assert.Equal(ProviderAddResult.StoreFull, Store.Add(KadTestKeys.Key(0, 0), KadTestPeers.Random(), Now + Ttl, Now, everyoneVerified));
        Assert.Equal(total, Store.Count);
    }

    [Fact]
    public void Records_count_against_the_byte_budget_as_stored()
    {
        using IProviderStore small = Create(Quotas with { MaxBytes = 1024 });
        var everyoneVerified = new ProviderAdmission(null, id => true);
        KadPeer wordy = KadTestPeers.Random(Enumerable.Range(0, 30).Select(i => $"/dns4/provider-{i}.example.org/tcp/4001").ToArray());
        Assert.Equal(ProviderAddResult.Added, small.Add(KadTestKeys.Key(0, 0), wordy, Now + Ttl, Now, everyoneVerified));
        Assert.InRange(small.Bytes, 700, 1024);
        Assert.Equal(ProviderAddResult.StoreFull, small.Add(KadTestKeys.Key(1, 0), KadTestPeers.Random(wordy.Addresses.Select(a => a.ToString()).ToArray()), Now + Ttl, Now, everyoneVerified));
        Assert.Equal(ProviderAddResult.Added, small.Add(KadTestKeys.Key(1, 0), KadTestPeers.Random("/ip4/203.0.113.9/tcp/4001"), Now + Ttl, Now, everyoneVerified));
    }

    [Fact]
    public void Expired_records_are_not_returned_and_free_their_place()
    {
        byte[] key = KadTestKeys.Key(2, 2);
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
        byte[] a = KadTestKeys.Key(3, 0), b = KadTestKeys.Key(3, 1);
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
        byte[] key = KadTestKeys.Key(4, 4);
        for (int i = 0; i < Store.MaxProvidersPerKey; i++)
        {
            Store.Add(key, KadTestPeers.Random(), Now + TimeSpan.FromMinutes(10 + i), Now);
        }
        int last = 10 + Store.MaxProvidersPerKey - 1;
        IReadOnlyList<ProviderRecord> records = Store.Get(key, Now, 3);
        Assert.Equal([Now + TimeSpan.FromMinutes(last), Now + TimeSpan.FromMinutes(last - 1), Now + TimeSpan.FromMinutes(last - 2)], records.Select(r => r.ExpiresAt));
    }
}
