using Nnrp.Client.Mailbox;
using Nnrp.Client.Network;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;

namespace Nnrp.Client.Tests.Loopback;

/// <summary>Nodes named by the http(s) URL of their HTTP API (NNRP.md §12), alone or mixed with libp2p ones.</summary>
public sealed class HttpTransportTests
{
    [Fact]
    public async Task A_send_to_two_http_nodes_and_one_libp2p_node_gets_three_verified_receipts_and_fetch_over_http_opens_it()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartWithHttpAsync(3);
        await using WalletClient client = await Clients.ConnectAsync([nodes.HttpUrl(0), nodes.HttpUrl(1), nodes.Address(2)]);

        SendResult sent = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(1, "over http"), Clients.EasySend).WaitAsync(LoopbackNodes.Limit);
        Assert.True(sent.MetTarget, string.Join("; ", sent.Failures.Select(f => f.Reason)));
        Assert.Equal(3, sent.Receipts.Select(r => r.Node).Distinct().Count());

        await using WalletClient reader = await Clients.ConnectAsync([nodes.HttpUrl(0), nodes.HttpUrl(1)]);
        FetchResult fetched = await reader.FetchAsync(Samples.SeedKey, Clients.EasyFetch with { PageSize = 1 }).WaitAsync(LoopbackNodes.Limit);
        Assert.Equal(Samples.Event(1, "over http"), Assert.Single(fetched.Contents.Opened).Event);
        Assert.Equal(2, fetched.CompleteNodes);
    }

    [Fact]
    public async Task Two_urls_of_one_node_count_as_one_receipt()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartWithHttpAsync(1);
        string url = nodes.HttpUrl(0);
        await using WalletClient client = await Clients.ConnectAsync([url, url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)]);
        SendResult sent = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(2), Clients.EasySend with { Replicas = 2 }).WaitAsync(LoopbackNodes.Limit);
        Assert.Single(sent.Receipts);
        Assert.Contains("same node", Assert.Single(sent.Failures).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_node_demanding_more_work_gets_it_and_its_status_reads_like_the_libp2p_one()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartWithHttpAsync(1);
        await using WalletClient client = await Clients.ConnectAsync([nodes.HttpUrl(0)]);
        var weak = Clients.EasySend with { Replicas = 1, InitialThreshold = 0x8000000000000000UL };

        SendResult sent = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(3), weak).WaitAsync(LoopbackNodes.Limit);
        Assert.True(sent.MetTarget, string.Join("; ", sent.Failures.Select(f => f.Reason)));

        var viaHttp = await client.StatusAsync(NodeAddress.Parse(nodes.HttpUrl(0))).WaitAsync(LoopbackNodes.Limit);
        var viaLibp2p = await client.StatusAsync(NodeAddress.Parse(nodes.Address(0))).WaitAsync(LoopbackNodes.Limit);
        Assert.Equal(viaLibp2p.BaseThreshold, viaHttp.BaseThreshold);
        Assert.Equal(viaLibp2p.Agent, viaHttp.Agent);
        Assert.Equal(1UL, viaHttp.Stored);
    }
}
