using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Relay;
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Relay;

/// <summary>
/// NNRP.md §14.4 (issue 15 "NAT"): a node that only dials out reserves a slot on a relay node
/// and a wallet publishes to it and fetches from it through the relay.
/// </summary>
public sealed class NatNodeThroughRelayTests : IAsyncLifetime
{
    private readonly LoopbackNodeSet _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private Task<NnrpNode> StartNodeAsync(Func<NnrpNodeOptions, NnrpNodeOptions> configure) => _nodes.StartAsync(configure);

    [Fact]
    public async Task A_node_that_only_dials_out_serves_a_wallet_through_a_relay_node()
    {
        NnrpNode relay = await StartNodeAsync(o => o with { Relay = new NodeRelayOptions { Service = NodeRelayOptions.NodeServiceDefaults } });
        Multiaddr relayAddress = relay.Addresses[0];
        NnrpNode natted = await StartNodeAsync(o => o with
        {
            Host = new HostOptions { ListenAddresses = [] },
            Dht = o.Dht with { Mode = KadMode.Client },
            Relay = new NodeRelayOptions { Reserve = [relayAddress] },
        });
        Assert.Empty(natted.Host.ListenAddresses);

        await NodeNetwork.UntilAsync(() => natted.RelayClient!.Reservations.Count == 1, "the node holds a reservation on the relay");
        Multiaddr circuit = Assert.Single(natted.Addresses);
        Assert.Equal(CircuitAddress.For(relayAddress, natted.PeerId), circuit);
        Assert.Equal(1, relay.RelayService!.ReservationCount);

        await WalletPublishesAndFetchesThroughAsync(natted, circuit, () => Assert.Equal(1, relay.RelayService.CircuitCount));
    }

    /// <summary>
    /// A wallet that dials only <paramref name="circuit"/> publishes a notification to
    /// <paramref name="natted"/> and reads it back, over a limited connection;
    /// <paramref name="whileRelayed"/> runs before the wallet goes.
    /// </summary>
    private static async Task WalletPublishesAndFetchesThroughAsync(NnrpNode natted, Multiaddr circuit, Action? whileRelayed = null)
    {
        await using var walletHost = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [] }, NullLoggerFactory.Instance);
        await walletHost.StartAsync(CancellationToken.None);
        var wallet = new NnrpClient(walletHost);
        RecipientTag tag = RandomTag();
        Notification sent = WithWorkValue(Make(tag, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), CheapBase);

        PublishResult published = await wallet.PublishAsync(circuit, sent).WaitAsync(NodeNetwork.Limit);
        NotificationPage page = await wallet.FetchAsync(circuit, FetchQuery.ForTag(tag)).WaitAsync(NodeNetwork.Limit);

        Assert.Equal(StatusCode.Ok, published.Status);
        Assert.True(natted.Store.Contains(sent.Hash));
        Assert.Equal(sent.Hash, Assert.Single(page.Notifications).Hash);
        Connection relayed = Assert.Single(walletHost.Connections, c => c.RemotePeer.Equals(natted.PeerId));
        Assert.True(relayed.IsLimited);
        whileRelayed?.Invoke();
    }

    [Fact]
    public async Task A_node_that_listens_on_nothing_finds_a_relay_among_its_bootstrap_peers_and_serves_a_wallet_through_it()
    {
        // NNRP.md §14.4 "Choosing relays": no --relay; the node knows only a bootstrap peer, which relays.
        NnrpNode relay = await StartNodeAsync(o => o with { Relay = new NodeRelayOptions { Service = NodeRelayOptions.NodeServiceDefaults } });
        NnrpNode plain = await StartNodeAsync(o => o with { Relay = new NodeRelayOptions { ServeWhenPublic = false } });
        NnrpNode natted = await StartNodeAsync(o => o with
        {
            Host = new HostOptions { ListenAddresses = [] },
            Dht = o.Dht with { Mode = KadMode.Client, BootstrapPeers = [plain.Addresses[0], relay.Addresses[0]] },
        });
        Assert.NotNull(natted.AutoRelay);

        await NodeNetwork.UntilAsync(() => natted.RelayClient!.Reservations.ContainsKey(relay.PeerId), "the node reserved on the relaying bootstrap peer");
        Assert.True(natted.AutoRelay.Active);
        Assert.DoesNotContain(plain.PeerId, natted.RelayClient!.Reservations.Keys);
        Multiaddr circuit = Assert.Single(natted.Addresses);
        Assert.Equal(CircuitAddress.For(relay.Addresses[0], natted.PeerId), circuit);

        await WalletPublishesAndFetchesThroughAsync(natted, circuit);
    }

    [Fact]
    public async Task Over_a_relay_granting_128_KiB_a_wallet_asks_pages_that_fit_and_follows_the_cursor()
    {
        // go/js relay defaults: 2 min and 128 KiB per direction.
        NnrpNode relay = await StartNodeAsync(o => o with { Relay = new NodeRelayOptions { Service = new RelayServiceOptions() } });
        NnrpNode natted = await StartNodeAsync(o => o with
        {
            Host = new HostOptions { ListenAddresses = [] },
            Dht = o.Dht with { Mode = KadMode.Client },
            Relay = new NodeRelayOptions { Reserve = [relay.Addresses[0]] },
        });
        await NodeNetwork.UntilAsync(() => natted.RelayClient!.Reservations.Count == 1, "the node holds a reservation on the relay");
        Multiaddr circuit = Assert.Single(natted.Addresses);
        await using var walletHost = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [] }, NullLoggerFactory.Instance);
        await walletHost.StartAsync(CancellationToken.None);
        var wallet = new NnrpClient(walletHost);
        RecipientTag tag = RandomTag();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (Notification n in Enumerable.Range(0, 60).Select(i => WithWorkValue(Make(tag, timestamp: now - i), CheapBase)))
        {
            Assert.Equal(StatusCode.Ok, (await wallet.PublishAsync(circuit, n).WaitAsync(NodeNetwork.Limit)).Status);
        }

        NotificationPage first = await wallet.FetchAsync(circuit, FetchQuery.ForTag(tag)).WaitAsync(NodeNetwork.Limit);
        var all = new List<Notification>();
        await foreach (Notification n in wallet.FetchAllAsync(natted.PeerId, FetchQuery.ForTag(tag)))
        {
            all.Add(n);
        }

        // NNRP.md §14.4: (128 KiB − 16 KiB) / 2308 = 49 notifications a page instead of the default 100.
        Assert.Equal(49, first.Notifications.Count);
        Assert.True(first.HasMore);
        Assert.Equal(60, all.Select(static n => n.Hash).Distinct().Count());
        Assert.True(Assert.Single(walletHost.Connections, c => c.RemotePeer.Equals(natted.PeerId)).IsLimited);
    }
}
