using Nnrp.Core.Notifications;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Shards;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §14.3: topics per depth-8 shard, chosen by tag and joined by the shards held.</summary>
public sealed class GossipTopicTests
{
    [Fact]
    public void A_notification_goes_to_the_topic_of_its_tags_first_byte()
    {
        Assert.Equal("/nnrp/notifications/1.0/8/200", NotificationGossip.TopicOf(Notifications.TagStartingWith(200, 7)));
        Assert.Equal("/nnrp/notifications/1.0/8/0", NotificationGossip.TopicOf(Notifications.TagStartingWith(0)));
        Assert.Equal(256, NotificationGossip.Topics.Distinct().Count());
    }

    [Fact]
    public void A_node_joins_the_depth_8_topics_its_shards_overlap()
    {
        Assert.Equal(256, NotificationGossip.TopicsFor(ShardSet.Full).Count);
        Assert.Equal(["/nnrp/notifications/1.0/8/192", "/nnrp/notifications/1.0/8/193"], NotificationGossip.TopicsFor(new ShardSet([new ShardId(7, 96)])));
        Assert.Equal(["/nnrp/notifications/1.0/8/171"], NotificationGossip.TopicsFor(new ShardSet([new ShardId(12, 0xabc)])));
        Assert.Equal(64 + 1, NotificationGossip.TopicsFor(new ShardSet([new ShardId(2, 0), new ShardId(9, 300)])).Count);
    }

    [Fact]
    public async Task A_sharded_node_joins_only_its_topics()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: o => o with { Shards = new ShardOptions { Setting = ShardSetting.Parse("10/1023") } });
        // 10/1023 = 0b11_1111_1111: inside depth-8 shard 255.
        Assert.Equal(["/nnrp/notifications/1.0/8/255"], net.Node.NotificationTopics.Joined);
        await using NodeNetwork full = await NodeNetwork.StartAsync();
        Assert.Equal(256, full.Node.NotificationTopics.Joined.Count);
    }

    [Fact]
    public async Task A_notification_on_a_topic_not_its_tags_is_rejected_and_one_outside_the_shards_ignored()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(configure: o => o with { Shards = new ShardOptions { Setting = ShardSetting.Parse("9/0") } });
        var gossip = new NotificationGossip(net.Node.Gossip, net.Node);
        Notification n = Notifications.WithWorkValue(Notifications.Make(Notifications.TagStartingWith(0x00, 0x80), timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Notifications.CheapBase);
        var onOtherTopic = new GossipMessage(NotificationGossip.Topics[1], NotificationProtobuf.Encode(n));
        var onItsTopic = new GossipMessage(NotificationGossip.Topics[0], NotificationProtobuf.Encode(n));
        NotificationGossip.MessageIdOf(onOtherTopic);
        NotificationGossip.MessageIdOf(onItsTopic);

        Assert.Equal(ValidationResult.Reject, await gossip.ValidateAsync(onOtherTopic, net.ClientHost.PeerId, CancellationToken.None));
        // Tag 0x0080… is in depth-8 shard 0 but in 9/1, not 9/0: not held, not penalised.
        Assert.Equal(ValidationResult.Ignore, await gossip.ValidateAsync(onItsTopic, net.ClientHost.PeerId, CancellationToken.None));
        Assert.Equal(1, net.Node.Ingress.Count(DecisionStatus.WrongShard));
    }
}
