using Nnrp.Client.Mailbox;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;

namespace Nnrp.Client.Tests.Network;

/// <summary>
/// NNRP.md §8.4 "Publish" and "Fetch": a request still in flight counts as pending, so a send
/// reaches <see cref="SendOptions.Replicas"/> nodes and a fetch reads <see cref="FetchOptions.Nodes"/>
/// nodes — a further candidate is asked only to replace one that failed, never because another is slow.
/// </summary>
public sealed class NodeCountTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly FakeNodes _nodes = new();

    private WalletClient Client() => new(_nodes, new WalletClientOptions
    {
        Nodes = _nodes.Nodes.Select(n => n.Address.ToString()).ToArray(),
        WorkSource = Clients.OneThread,
    });

    [Fact]
    public async Task A_slow_node_is_waited_for_not_replaced_by_a_third_on_a_send_to_two()
    {
        FakeNode slow = _nodes.Add(), fast = _nodes.Add(), spare = _nodes.Add();
        slow.Gate = new TaskCompletionSource();
        await using WalletClient client = Client();

        Task<SendResult> send = client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Clients.EasySend with { Replicas = 2 });
        await fast.Served.Task.WaitAsync(Limit);
        slow.Gate.SetResult();
        SendResult result = await send.WaitAsync(Limit);

        Assert.True(result.MetTarget);
        Assert.Equal(2, result.Receipts.Count);
        Assert.Equal(0, spare.Requests);
    }

    [Fact]
    public async Task A_failed_node_is_replaced_while_a_slow_one_is_in_flight()
    {
        FakeNode slow = _nodes.Add(), down = _nodes.Add(), spare = _nodes.Add(), unused = _nodes.Add();
        slow.Gate = new TaskCompletionSource();
        down.Down = true;
        await using WalletClient client = Client();

        Task<SendResult> send = client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(), Clients.EasySend with { Replicas = 2 });
        await spare.Served.Task.WaitAsync(Limit);
        slow.Gate.SetResult();
        SendResult result = await send.WaitAsync(Limit);

        Assert.Equal(2, result.Receipts.Count);
        Assert.Equal(down.Address, Assert.Single(result.Failures).Node);
        Assert.Equal(0, unused.Requests);
    }

    [Fact]
    public async Task A_fetch_from_two_reads_two_nodes_when_one_is_slow()
    {
        FakeNode slow = _nodes.Add(), fast = _nodes.Add(), spare = _nodes.Add();
        slow.Gate = new TaskCompletionSource();
        await using WalletClient client = Client();

        Task<FetchResult> fetch = client.FetchAsync(Samples.SeedKey, Clients.EasyFetch with { Nodes = 2 });
        await fast.Served.Task.WaitAsync(Limit);
        slow.Gate.SetResult();
        FetchResult result = await fetch.WaitAsync(Limit);

        Assert.Equal(2, result.CompleteNodes);
        Assert.True(result.MetTarget);
        Assert.Equal(0, spare.Requests);
    }

    public void Dispose() => _nodes.Dispose();
}
