using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Shards;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §8.3: a node of shard (1, 0) takes, provides and reports only that shard.</summary>
public sealed class ShardDoorTests
{
    private static readonly TimeSpan Limit = NodeNetwork.Limit;

    private static Notification Fresh(RecipientTag tag) =>
        Notifications.WithWorkValue(Notifications.Make(tag, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Notifications.CheapBase);

    private static NnrpNodeOptions HalfNode(NnrpNodeOptions o) => o with { Shards = new ShardOptions { Setting = ShardSetting.Parse("1/0") } };

    [Fact]
    public async Task A_publish_outside_the_shards_is_refused_wrong_shard_and_inside_is_stored()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: HalfNode);
        PublishResult inside = await net.Client.PublishAsync(net.NodeAddress, Fresh(Notifications.TagStartingWith(0x12))).WaitAsync(Limit);
        Notification stray = Fresh(Notifications.TagStartingWith(0x92));
        PublishResult outside = await net.Client.PublishAsync(net.NodeAddress, stray).WaitAsync(Limit);

        Assert.Equal(StatusCode.Ok, inside.Status);
        Assert.Equal(StatusCode.WrongShard, outside.Status);
        Assert.False(net.Node.Store.Contains(stray.Hash));
        Assert.Equal(1, net.Node.Ingress.Count(DecisionStatus.WrongShard));
    }

    [Fact]
    public async Task Gossip_and_sync_outside_the_shards_are_refused_by_the_same_gate_without_penalty()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: HalfNode);
        Notification stray = Fresh(Notifications.TagStartingWith(0xf0));
        Decision viaGossip = await net.Node.PublishAsync(stray, Origin.GossipPeer(net.ClientHost.PeerId));
        Decision viaSync = await net.Node.Ingress.SubmitAsync(stray, Origin.SyncPeer(net.ClientHost.PeerId));

        Assert.Equal(DecisionStatus.WrongShard, viaGossip.Status);
        Assert.Equal(DecisionStatus.WrongShard, viaSync.Status);
        Assert.Equal(ValidationResult.Ignore, NotificationGossip.Verdict(viaGossip, Notifications.CheapBase));
    }

    [Fact]
    public async Task A_fetch_outside_the_shards_answers_from_what_is_stored()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: HalfNode);
        NotificationPage page = await net.Client.FetchAsync(net.NodeAddress, FetchQuery.ForTag(Notifications.TagStartingWith(0xf0))).WaitAsync(Limit);
        Assert.Empty(page.Notifications);
    }

    [Fact]
    public async Task Status_reports_the_shards_held_and_the_bytes_stored()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: HalfNode);
        await net.Client.PublishAsync(net.NodeAddress, Fresh(Notifications.TagStartingWith(0x01))).WaitAsync(Limit);
        StatusResponse status = await net.Client.StatusAsync(net.NodeAddress).WaitAsync(Limit);

        Assert.Equal([(1u, 0u)], status.Shards.Select(s => (s.Bits, s.Index)));
        Assert.Equal((ulong)net.Node.Store.Statistics.Bytes, status.StoredBytes);
        Assert.True(status.StoredBytes > 0);
    }

    [Fact]
    public async Task A_full_node_by_default_holds_and_reports_everything()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        StatusResponse status = await net.Client.StatusAsync(net.NodeAddress).WaitAsync(Limit);
        Assert.Equal([(0u, 0u)], status.Shards.Select(s => (s.Bits, s.Index)));
        Assert.True(net.Node.Shards.Setting.IsAuto);
        Assert.Equal([ShardId.Full], net.Node.ProvidedShards);
    }

    [Fact]
    public async Task The_node_provides_the_key_of_every_shard_it_holds()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync(configure: o => o with
        {
            PrivateNetwork = true,
            Shards = new ShardOptions { Setting = ShardSetting.Parse("2/1,3/6") },
        });
        await using NodeNetwork b = await NodeNetwork.StartAsync(configure: o => o with
        {
            PrivateNetwork = true,
            Dht = o.Dht with { BootstrapPeers = [a.NodeAddress] },
        });
        Assert.Equal([new ShardId(2, 1), new ShardId(3, 6)], a.Node.ProvidedShards);
        foreach (ShardId shard in a.Node.ProvidedShards)
        {
            var found = new List<KadPeer>();
            await foreach (KadPeer p in b.Node.Kad.FindProvidersAsync(shard.WireKey(), 20, CancellationToken.None))
            {
                found.Add(p);
            }
            Assert.Contains(found, p => p.Id.Span.SequenceEqual(a.Node.PeerId.Bytes.Span));
        }
    }
}
