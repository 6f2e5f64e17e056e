using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Tests.Kad;
using Nnrp.Node.Providers;
using RocksDbSharp;

namespace Nnrp.Node.Tests.Providers;

/// <summary>The provider-store rules (linked from the libp2p tests) against the node's RocksDB store, plus what only a database keeps.</summary>
public sealed class RocksDbProviderStoreTests : ProviderStoreRules
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "nnrp-kad-" + Guid.NewGuid().ToString("N"));
    private IProviderStore _store;

    public RocksDbProviderStoreTests()
    {
        _store = RocksDbProviderStore.Open(_path, Quotas);
    }

    protected override IProviderStore Store => _store;

    private readonly List<string> _others = [];

    protected override IProviderStore Create(ProviderQuotas quotas)
    {
        string path = _path + "-" + _others.Count;
        _others.Add(path);
        return RocksDbProviderStore.Open(path, quotas);
    }

    public override void Dispose()
    {
        base.Dispose();
        foreach (string path in _others.Append(_path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [Fact]
    public void A_closed_store_over_a_shared_database_refuses_calls_while_the_database_is_still_open()
    {
        // The node's layout: the provider store lives in the notification store's database and is
        // closed first; a Kad request in flight at shutdown must get an exception here, never
        // reach the database after its owner closed it (a native null dereference).
        string path = _path + "-shared";
        _others.Add(path);
        var options = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true);
        using RocksDb db = RocksDb.Open(options, path, new ColumnFamilies { { RocksDbProviderStore.ColumnFamilyName, new ColumnFamilyOptions() } });
        IProviderStore store = new RocksDbProviderStore(db, Quotas);
        byte[] key = KadTestKeys.Key(5, 17);
        store.Add(key, KadTestPeers.Random("/ip4/198.51.100.1/tcp/4001"), Now + Ttl, Now);

        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Get(key, Now, 20));
        Assert.Throws<ObjectDisposedException>(() => store.Add(key, KadTestPeers.Random(), Now + Ttl, Now));
        Assert.Throws<ObjectDisposedException>(() => store.RemoveExpired(Now));
        store.Dispose(); // twice is harmless
    }

    [Fact]
    public void Records_survive_closing_and_reopening_the_database()
    {
        byte[] key = KadTestKeys.Key(5, 17);
        KadPeer provider = KadTestPeers.Random("/ip4/198.51.100.1/tcp/4001");
        _store.Add(key, provider, Now + Ttl, Now);
        _store.Dispose();
        _store = RocksDbProviderStore.Open(_path, Quotas);
        ProviderRecord record = Assert.Single(_store.Get(key, Now, 20));
        Assert.Equal(provider, record.Provider);
        Assert.Equal(provider.Addresses, record.Provider.Addresses);
    }

    [Fact]
    public void Quotas_still_hold_after_reopening_the_database()
    {
        KadPeer greedy = KadTestPeers.Random();
        for (uint i = 0; i < Quotas.MaxKeysPerProvider; i++)
        {
            _store.Add(KadTestKeys.Key(8, i), greedy, Now + Ttl, Now);
        }
        long bytes = _store.Bytes;
        _store.Dispose();
        _store = RocksDbProviderStore.Open(_path, Quotas);
        Assert.Equal(Quotas.MaxKeysPerProvider, _store.Count);
        Assert.Equal(bytes, _store.Bytes);
        Assert.Equal(ProviderAddResult.PeerQuotaFull, _store.Add(KadTestKeys.Key(8, 100), greedy, Now + Ttl, Now));
    }
}
