using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.GossipSub.RouterHarness;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>The service on in-memory streams: subscribe, publish, validate, deliver once.</summary>
public class ServiceTests
{
    [Fact]
    public async Task Messages_reach_every_subscriber_of_a_line_exactly_once()
    {
        await using var net = new InMemoryNetwork(6);
        for (int i = 0; i + 1 < 6; i++)
        {
            net.Connect(i, i + 1);
        }
        List<GossipSubscription> subs = net.Nodes.Select(n => n.Subscribe(Topic)).ToList();
        await InMemoryNetwork.Eventually(() => net.Nodes.Skip(1).SkipLast(1).All(n => n.GetMeshPeers(Topic).Count == 2), "meshes along the line");

        for (int m = 0; m < 20; m++)
        {
            net.Nodes[m % 6].Publish(Topic, BitConverter.GetBytes(m));
        }
        for (int i = 0; i < 6; i++)
        {
            var received = new HashSet<int>();
            for (int k = 0; k < 20 - (20 / 6 + (i < 20 % 6 ? 1 : 0)); k++)
            {
                GossipMessage message = await subs[i].Messages.ReadAsync().AsTask().WaitAsync(InMemoryNetwork.Timeout);
                Assert.True(received.Add(BitConverter.ToInt32(message.Data.Span)), "delivered twice");
            }
            Assert.All(received, m => Assert.NotEqual(i, m % 6)); // own messages are not echoed
        }
        Assert.All(subs, s => Assert.False(s.Messages.TryRead(out _)));
    }

    [Fact]
    public async Task Rejected_messages_are_not_forwarded_and_cost_the_sender()
    {
        await using var net = new InMemoryNetwork(3);
        net.Connect(0, 1);
        net.Connect(1, 2);
        net.Nodes[1].SetValidator(Topic, (m, _, _) => ValueTask.FromResult(m.Data.Span[0] == 0 ? ValidationResult.Reject : ValidationResult.Accept));
        List<GossipSubscription> subs = net.Nodes.Select(n => n.Subscribe(Topic)).ToList();
        await InMemoryNetwork.Eventually(() => net.Nodes[1].GetMeshPeers(Topic).Count == 2, "mesh of the middle node");

        net.Nodes[0].Publish(Topic, new byte[] { 0, 1 });
        net.Nodes[0].Publish(Topic, new byte[] { 1, 1 });
        GossipMessage accepted = await subs[2].Messages.ReadAsync().AsTask().WaitAsync(InMemoryNetwork.Timeout);
        Assert.Equal(1, accepted.Data.Span[0]);
        // The two validations run concurrently: the accepted one may reach node 2 first.
        await InMemoryNetwork.Eventually(() => net.Nodes[1].Metrics.Rejected == 1, "the rejection is recorded");
        Assert.True(net.Nodes[1].GetScore(net.Ids[0]) < 0);
        Assert.False(subs[2].Messages.TryRead(out _));
    }

    [Fact]
    public async Task Validation_overload_drops_instead_of_queuing_without_limit()
    {
        var gate = new TaskCompletionSource();
        await using var net = new InMemoryNetwork(2, () => InMemoryNetwork.Options(maxPendingValidations: 100));
        net.Connect(0, 1);
        net.Nodes[1].SetValidator(Topic, async (_, _, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return ValidationResult.Accept;
        });
        GossipSubscription sub = net.Nodes[1].Subscribe(Topic);
        net.Nodes[0].Subscribe(Topic);
        await InMemoryNetwork.Eventually(() => net.Nodes[0].GetTopicPeers(Topic).Count == 1, "subscription exchange");
        int sent = 1000;
        for (int m = 0; m < sent; m++)
        {
            net.Nodes[0].Publish(Topic, BitConverter.GetBytes(m));
        }
        await InMemoryNetwork.Eventually(() => net.Nodes[1].Metrics.ValidationDropped > 0, "validation drops");
        gate.SetResult();
        await InMemoryNetwork.Eventually(() => net.Nodes[1].Metrics.Delivered + net.Nodes[1].Metrics.ValidationDropped == sent, "every message accounted for");
        Assert.True(sub.Messages.Count > 0);
    }
}
