using Nnrp.Core.Protocol;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Relay;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests;

/// <summary>
/// NNRP.md §14.5 in a real node: AutoNAT runs on its own once peers connect, the node reports
/// what it found (StatusResponse.reachability), and a node that follows reachability serves the
/// DHT only once it is public — except on a private network, which keeps server mode.
/// </summary>
public sealed class NodeReachabilityTests : IAsyncLifetime
{
    private readonly List<NodeNetwork> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (NodeNetwork node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Off_a_private_network_a_following_node_serves_the_DHT_only_once_AutoNAT_finds_it_public()
    {
        // Loopback is private: these nodes are on the public network in every respect but that
        // their AutoNAT sides may dial loopback, so reachability can be proved here.
        NodeNetwork[] nodes = await StartAsync(4, o => o with
        {
            Dht = o.Dht with { FollowReachability = true },
            AutoNat = new NodeAutoNatOptions
            {
                Server = new AutoNatServerOptions { AllowPrivateAddresses = true },
                Client = new AutoNatClientOptions { AllowPrivateAddresses = true },
            },
        });
        NnrpNode node = nodes[0].Node;
        Assert.Equal(KadMode.Client, node.Kad.Mode);
        Assert.DoesNotContain(KadOptions.DefaultProtocolId, node.Host.Protocols);
        Assert.Equal(Reachability.Unknown, node.Reachability);

        foreach (NodeNetwork server in nodes[1..])
        {
            await node.Host.DialAsync(server.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        }

        await NodeNetwork.UntilAsync(() => node.Reachability == Reachability.Public, "three servers confirmed the node's address");
        await NodeNetwork.UntilAsync(() => node.Kad.Mode == KadMode.Server, "the DHT switched to server mode");
        Assert.Contains(KadOptions.DefaultProtocolId, node.Host.Protocols);
        // Identify push tells the connected peers that the node now serves the DHT.
        KadKey key = KadKey.Hash(node.PeerId.Bytes.Span);
        await NodeNetwork.UntilAsync(() => nodes[1].Node.Kad.RoutingTable.Contains(key), "a peer added the node to its routing table");
        StatusResponse status = await nodes[0].Client.StatusAsync(nodes[0].NodeAddress).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(NodeReachability.Public, status.Reachability);

        // Back in client mode (as on a change to private), the peers drop it from their tables.
        node.Kad.SetMode(KadMode.Client);
        Assert.DoesNotContain(KadOptions.DefaultProtocolId, node.Host.Protocols);
        await NodeNetwork.UntilAsync(() => !nodes[1].Node.Kad.RoutingTable.Contains(key), "the peer dropped the node from its routing table");
    }

    [Fact]
    public async Task A_node_serves_as_a_relay_only_once_AutoNAT_finds_it_public()
    {
        // NNRP.md §14.4 "Who relays" (--relay-service auto, the default).
        NodeNetwork[] nodes = await StartAsync(4, o => o with
        {
            AutoNat = new NodeAutoNatOptions
            {
                Server = new AutoNatServerOptions { AllowPrivateAddresses = true },
                Client = new AutoNatClientOptions { AllowPrivateAddresses = true },
            },
        });
        NnrpNode node = nodes[0].Node;
        Assert.NotNull(node.RelayService);
        Assert.False(node.RelayService.IsServing);
        // Unasked, a node grants the go/js limits (128 KiB a direction), not --relay-service on's 4 MiB.
        Assert.Equal(RelayServiceOptions.DefaultCircuitDataLimit, node.RelayService.Options.CircuitDataLimit);
        Assert.DoesNotContain(RelayService.HopProtocolId, node.Host.Protocols);
        Assert.False(node.AutoRelay!.Active); // it listens, and AutoNAT has not said Private

        foreach (NodeNetwork server in nodes[1..])
        {
            await node.Host.DialAsync(server.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        }

        await NodeNetwork.UntilAsync(() => node.Reachability == Reachability.Public, "three servers confirmed the node's address");
        await NodeNetwork.UntilAsync(() => node.RelayService.IsServing, "the node serves hop");
        Assert.Contains(RelayService.HopProtocolId, node.Host.Protocols);
        // Identify push tells the connected peers, which may now choose it as a relay.
        await NodeNetwork.UntilAsync(() => nodes[1].Node.Host.PeerStore.GetProtocols(node.PeerId).Contains(RelayService.HopProtocolId), "a peer learned that the node relays");
        Assert.False(node.AutoRelay.Active);
    }

    [Fact]
    public async Task On_a_private_network_a_following_node_keeps_server_mode_and_still_learns_its_reachability()
    {
        NodeNetwork[] nodes = await StartAsync(4, o => o with { PrivateNetwork = true, Dht = o.Dht with { FollowReachability = true } });
        NnrpNode node = nodes[0].Node;
        Assert.Equal(KadMode.Server, node.Kad.Mode);

        foreach (NodeNetwork server in nodes[1..])
        {
            await node.Host.DialAsync(server.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        }

        await NodeNetwork.UntilAsync(() => node.Reachability == Reachability.Public, "three servers confirmed the node's address");
        Assert.Equal(KadMode.Server, node.Kad.Mode);
    }

    [Fact]
    public async Task Off_a_private_network_loopback_addresses_are_neither_tested_nor_dialed()
    {
        NodeNetwork[] nodes = await StartAsync(4, o => o with { Dht = o.Dht with { FollowReachability = true } });
        NnrpNode node = nodes[0].Node;
        foreach (NodeNetwork server in nodes[1..])
        {
            await node.Host.DialAsync(server.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        }

        IReadOnlyList<ProbeResult> round = await node.AutoNat.RunRoundAsync(CancellationToken.None).WaitAsync(NodeNetwork.Limit);

        Assert.Empty(round);
        Assert.Equal(Reachability.Unknown, node.Reachability);
        Assert.Equal(KadMode.Client, node.Kad.Mode);
    }

    private async Task<NodeNetwork[]> StartAsync(int count, Func<NnrpNodeOptions, NnrpNodeOptions> configure)
    {
        var started = new NodeNetwork[count];
        for (int i = 0; i < count; i++)
        {
            started[i] = await NodeNetwork.StartAsync(configure: configure);
            _nodes.Add(started[i]);
        }
        return started;
    }
}
