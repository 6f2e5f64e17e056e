using Nnrp.Libp2p.Kad;

namespace Nnrp.Libp2p.Tests.Kad;

public sealed class KadNetworkTests(KadTestNetwork network) : IClassFixture<KadTestNetwork>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task<List<KadPeer>> FindAll(KadNode node, byte[] key, int count = 20)
    {
        var found = new List<KadPeer>();
        await foreach (KadPeer p in node.Kad.FindProvidersAsync(key, count, CancellationToken.None))
        {
            found.Add(p);
        }
        return found;
    }

    [Fact]
    public async Task Every_node_table_fills_from_a_single_bootstrap_peer()
    {
        // Early nodes met few peers at start; a second bootstrap round (as maintenance would run) fills them.
        await Task.WhenAll(network.Nodes.Select(n => n.Kad.BootstrapAsync(CancellationToken.None))).WaitAsync(Patience);
        foreach (KadNode node in network.Nodes)
        {
            // Nodes other tests start and stop may be in the tables too; every network node must be.
            Assert.All(network.Nodes.Where(n => n != node), other =>
                Assert.True(node.Kad.RoutingTable.Contains(KadKey.Hash(other.Host.PeerId.Bytes.Span))));
        }
    }

    [Fact]
    public async Task Provider_record_added_on_one_node_is_found_from_every_other_node()
    {
        byte[] key = KadTestKeys.Key(4, 9);
        KadNode provider = network.Nodes[7];
        int took = await provider.Kad.ProvideAsync(key, CancellationToken.None).WaitAsync(Patience);
        Assert.True(took > 0);
        foreach (KadNode node in network.Nodes)
        {
            List<KadPeer> found = await FindAll(node, key, 1).WaitAsync(Patience);
            KadPeer record = Assert.Single(found);
            Assert.Equal(provider.Host.PeerId.Bytes.ToArray(), record.Id.ToArray());
            Assert.NotEmpty(record.Addresses);
        }
    }

    [Fact]
    public async Task Find_peer_returns_the_addresses_of_any_node()
    {
        KadNode asker = network.Nodes[3];
        foreach (KadNode target in network.Nodes.Where(n => n != asker))
        {
            KadPeer? found = await asker.Kad.FindPeerAsync(target.Host.PeerId, CancellationToken.None).WaitAsync(Patience);
            Assert.NotNull(found);
            Assert.Contains(target.Host.ListenAddresses[0], found.Addresses);
        }
    }

    [Fact]
    public async Task After_the_provider_stops_its_record_expires_on_schedule()
    {
        byte[] key = KadTestKeys.Key(8, 77);
        KadNode provider = await KadNode.StartAsync([network.Nodes[0].Address], network.Clock);
        await provider.Kad.ProvideAsync(key, CancellationToken.None).WaitAsync(Patience);
        await provider.DisposeAsync();

        Assert.Single(await FindAll(network.Nodes[1], key).WaitAsync(Patience));
        network.Clock.Advance(KadOptions.DefaultProviderTtl - TimeSpan.FromMinutes(1));
        Assert.Single(await FindAll(network.Nodes[2], key).WaitAsync(Patience));
        network.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(await FindAll(network.Nodes[3], key).WaitAsync(Patience));
        int swept = network.Nodes.Sum(n => n.Kad.Providers.RemoveExpired(network.Clock.GetUtcNow()));
        Assert.True(swept > 0);
    }

    [Fact]
    public async Task Restarted_node_refills_its_table_without_bootstrap_peers()
    {
        string path = Path.Combine(Path.GetTempPath(), "nnrp-kad-table-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            KadNode node = await KadNode.StartAsync([network.Nodes[0].Address], network.Clock, tablePath: path);
            Assert.True(node.Kad.RoutingTable.Count > 1);
            await node.DisposeAsync();
            Assert.True(File.Exists(path));

            KadNode restarted = await KadNode.StartAsync([], network.Clock, tablePath: path);
            await using (restarted)
            {
                Assert.True(restarted.Kad.RoutingTable.Count > 1);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Client_mode_node_queries_but_never_enters_tables()
    {
        KadNode client = await KadNode.StartAsync([network.Nodes[0].Address], network.Clock, KadMode.Client);
        await using (client)
        {
            Assert.True(client.Kad.RoutingTable.Count > 0);
            Assert.DoesNotContain(KadOptions.DefaultProtocolId, client.Host.Protocols);
            IReadOnlyList<KadPeer> closest = await client.Kad.GetClosestPeersAsync(client.Host.PeerId.Bytes, CancellationToken.None).WaitAsync(Patience);
            Assert.NotEmpty(closest);
            KadKey clientKey = KadKey.Hash(client.Host.PeerId.Bytes.Span);
            Assert.All(network.Nodes, n => Assert.False(n.Kad.RoutingTable.Contains(clientKey)));
        }
    }
}
