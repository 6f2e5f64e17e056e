using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Client.Work;
using Nnrp.Core.Work;

namespace Nnrp.Client.Tests.Network;

/// <summary>Send: several distinct nodes, verified receipts, more work on demand, dead nodes replaced.</summary>
public sealed class SendTests : IDisposable
{
    private static readonly SendOptions Easy = new() { InitialThreshold = Samples.EasyThreshold };

    private readonly FakeNodes _nodes = new();

    private WalletClient Client(int nodes) => Client(Enumerable.Range(0, nodes).Select(_ => _nodes.Add()).ToList());

    private WalletClient Client(IReadOnlyList<FakeNode> nodes) => new(_nodes, new WalletClientOptions
    {
        Nodes = nodes.Select(n => n.Address.ToString()).ToArray(),
        WorkSource = new LocalWorkSource(new WorkGeneratorOptions { Threads = 1 }),
    });

    [Fact]
    public async Task A_send_lands_on_three_distinct_nodes_each_with_a_verified_receipt()
    {
        await using WalletClient client = Client(5);
        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Easy).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.MetTarget);
        Assert.Equal(3, result.Receipts.Select(r => r.Node).Distinct().Count());
        Assert.All(result.Receipts, r => Assert.Equal(result.Hash, r.Hash));
        Assert.Equal(3, _nodes.Nodes.Count(n => n.Stored.Count == 1));
    }

    [Fact]
    public async Task With_two_of_five_nodes_down_the_send_still_lands_on_three()
    {
        await using WalletClient client = Client(5);
        _nodes.Nodes[0].Down = true;
        _nodes.Nodes[2].Down = true;
        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Easy).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.MetTarget);
        Assert.Equal(2, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Contains("unreachable", f.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_demanding_more_work_gets_the_same_notification_with_more_work()
    {
        const ulong harder = 0xfff0000000000000UL; // 4096 hashes on average, 16× the easy one
        // Work made for the easy threshold meets the harder one by chance, 1 time in 16; then
        // the strict node never asks for more. Send again (a new notification) until it has
        // asked, at most 8 times (all 8 meeting it by chance: 2^-32).
        for (int attempt = 1; ; attempt++)
        {
            FakeNode strict = _nodes.Add(harder);
            await using WalletClient client = Client([strict, _nodes.Add(), _nodes.Add()]);

            SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Easy).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(result.MetTarget);
            Assert.True(result.Notification.MeetsThreshold(harder));
            Assert.Equal(result.Hash, Assert.Single(strict.Stored).Hash);
            if (strict.Publishes == 1 && attempt < 8)
            {
                continue;
            }
            Assert.Equal(2, strict.Publishes);
            return;
        }
    }

    [Fact]
    public async Task A_node_demanding_more_than_the_sender_will_pay_is_given_up()
    {
        FakeNode greedy = _nodes.Add(ulong.MaxValue - 1);
        await using WalletClient client = Client([greedy, _nodes.Add()]);
        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Easy with { Replicas = 2 });
        Assert.False(result.MetTarget);
        Assert.Contains("over the limit", Assert.Single(result.Failures).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receipt_signed_by_another_key_than_the_nodes_does_not_count()
    {
        FakeNode liar = _nodes.Add();
        liar.SignWithAnotherKey();
        await using WalletClient client = Client([liar, _nodes.Add(), _nodes.Add()]);
        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Easy);

        Assert.False(result.MetTarget);
        Assert.Equal(2, result.Receipts.Count);
        Assert.Contains("invalid receipt", Assert.Single(result.Failures).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_any_node_a_send_fails_with_a_clear_error()
    {
        await using var client = new WalletClient(_nodes, new WalletClientOptions());
        var e = await Assert.ThrowsAsync<NnrpClientException>(() => client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Easy));
        Assert.Contains("no nodes", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _nodes.Dispose();
}
