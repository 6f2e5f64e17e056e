using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Dcutr;

/// <summary>
/// NNRP.md §14.6: a node behind NAT, reached through a relay, is upgraded to a direct connection;
/// <c>/nnrp/1.0</c> keeps working across the upgrade and sync and gossip run once it is direct.
/// (On loopback every listener is reachable; the relay is simply the first way in.)
/// </summary>
public sealed class NatNodeHolePunchTests : IAsyncLifetime
{
    private static readonly DcutrOptions QuickGrace = new() { RelayedConnectionGrace = TimeSpan.FromMilliseconds(200) };

    private readonly LoopbackNodeSet _nodes = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private Task<NnrpNode> StartNodeAsync(Func<NnrpNodeOptions, NnrpNodeOptions> configure) =>
        _nodes.StartAsync(o => configure(o with { HolePunch = QuickGrace }));

    /// <summary>A relay node and a node that reserves on it; returns the natted node and its circuit address.</summary>
    private async Task<(NnrpNode Natted, Multiaddr Circuit)> StartNattedAsync(bool syncOnSchedule = false)
    {
        NnrpNode relay = await StartNodeAsync(o => o with { Relay = new NodeRelayOptions { Service = NodeRelayOptions.NodeServiceDefaults } });
        NnrpNode natted = await StartNodeAsync(o => o with
        {
            Dht = o.Dht with { Mode = KadMode.Client },
            Relay = new NodeRelayOptions { Reserve = [relay.Addresses[0]] },
            SyncOnSchedule = syncOnSchedule,
        });
        await NodeNetwork.UntilAsync(() => natted.RelayClient!.Reservations.Count == 1, "the node holds a reservation on the relay");
        // Scheduled sync starts with the DHT; from then on every identified direct peer is synced.
        await natted.DhtReady.WaitAsync(NodeNetwork.Limit);
        Multiaddr circuit = natted.Addresses.Single(CircuitAddressOf);
        return (natted, circuit);
    }

    private static bool CircuitAddressOf(Multiaddr address) => address.Components.Any(static c => c.Protocol == MultiaddrProtocol.P2pCircuit);

    private static Task<HolePunchOutcome> NextOutcome(DcutrService service)
    {
        var done = new TaskCompletionSource<HolePunchOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.HolePunchFinished += (_, e) => done.TrySetResult(e.Outcome);
        return done.Task.WaitAsync(NodeNetwork.Limit);
    }

    [Fact]
    public async Task A_wallet_that_reached_the_node_through_a_relay_publishes_and_fetches_over_the_punched_connection()
    {
        (NnrpNode natted, Multiaddr circuit) = await StartNattedAsync();
        Task<HolePunchOutcome> punched = NextOutcome(natted.HolePunching!);
        // A wallet host as WalletClient builds it (no listener), with identify and DCUtR.
        var walletHost = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [] }, NullLoggerFactory.Instance);
        var identify = new IdentifyService(walletHost);
        identify.Start();
        var dcutr = new DcutrService(walletHost, QuickGrace with { AllowPrivateAddresses = true }, identify);
        dcutr.Start();
        _nodes.Add(walletHost);
        _nodes.Add(dcutr);
        await walletHost.StartAsync(CancellationToken.None);
        var wallet = new NnrpClient(walletHost);
        RecipientTag tag = RandomTag();
        Notification first = WithWorkValue(Make(tag, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), CheapBase);
        Notification second = WithWorkValue(Make(tag, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1), CheapBase);

        Assert.Equal(StatusCode.Ok, (await wallet.PublishAsync(circuit, first).WaitAsync(NodeNetwork.Limit)).Status);
        HolePunchOutcome outcome = await punched;
        // The natted side may see the direct connection before the wallet's side of it is up.
        await NodeNetwork.UntilAsync(() => walletHost.FindConnection(natted.PeerId) is { IsLimited: false }, "the wallet sees the direct connection");
        Assert.Equal(StatusCode.Ok, (await wallet.PublishAsync(circuit, second).WaitAsync(NodeNetwork.Limit)).Status);
        NotificationPage page = await wallet.FetchAsync(circuit, FetchQuery.ForTag(tag)).WaitAsync(NodeNetwork.Limit);

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.True(outcome.Attempts >= 1, "the wallet has no listener: only the CONNECT/SYNC exchange can upgrade");
        Assert.Equal(new HashSet<NotificationHash> { first.Hash, second.Hash }, page.Notifications.Select(static n => n.Hash).ToHashSet());
        await NodeNetwork.UntilAsync(() => walletHost.GetConnections(natted.PeerId).All(static c => !c.IsLimited), "the relayed connection closed after the grace period");
    }

    [Fact]
    public async Task A_node_that_dialed_a_natted_node_through_the_relay_syncs_and_gossips_with_it_once_direct()
    {
        (NnrpNode natted, Multiaddr circuit) = await StartNattedAsync(syncOnSchedule: true);
        NnrpNode dialer = await StartNodeAsync(o => o);
        RecipientTag tag = RandomTag();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Notification before = WithWorkValue(Make(tag, timestamp: now), CheapBase);
        Notification after = WithWorkValue(Make(tag, timestamp: now - 1), CheapBase);
        Assert.Equal(DecisionStatus.Accepted, (await dialer.PublishAsync(before, Origin.Local)).Status);
        Task<HolePunchOutcome> punched = NextOutcome(natted.HolePunching!);

        Connection relayed = await dialer.Host.DialAsync(circuit, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        HolePunchOutcome outcome = await punched;

        Assert.True(relayed.IsLimited);
        Assert.True(outcome.Succeeded, outcome.Reason);
        await NodeNetwork.UntilAsync(() => dialer.Host.FindConnection(natted.PeerId) is { IsLimited: false }, "the dialer sees the direct connection");
        // Sync (scheduled when identify completes on the direct connection) brings what was there before.
        await NodeNetwork.UntilAsync(() => natted.Store.Contains(before.Hash), "sync brought the earlier notification to the natted node");
        // Gossip carries what comes after, once the mesh includes the direct peer.
        await NodeNetwork.UntilAsync(() => dialer.Gossip.GetMeshPeers(NotificationGossip.TopicOf(tag)).Contains(natted.PeerId), "the natted node joined the dialer's mesh");
        var gossiped = new TaskCompletionSource<Origin>(TaskCreationOptions.RunContinuationsAsynchronously);
        natted.Ingress.AddAcceptedListener((n, origin) =>
        {
            if (n.Hash == after.Hash)
            {
                gossiped.TrySetResult(origin);
            }
        });
        Assert.Equal(DecisionStatus.Accepted, (await dialer.PublishAsync(after, Origin.Local)).Status);
        Assert.Equal(OriginKind.GossipPeer, (await gossiped.Task.WaitAsync(NodeNetwork.Limit)).Kind);
    }
}
