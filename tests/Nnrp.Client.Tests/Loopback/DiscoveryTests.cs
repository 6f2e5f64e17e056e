using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Codecs;

namespace Nnrp.Client.Tests.Loopback;

/// <summary>Finding nodes without naming them: relay hints in the URI, bootstrap peers, DHT providers.</summary>
public sealed class DiscoveryTests
{
    [Fact]
    public async Task The_relay_hints_of_the_recipients_uri_are_where_the_send_goes()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartAsync(3);
        var uri = new NotificationUri(Samples.SeedKey.PublicKey, nodes.Addresses);
        await using WalletClient client = await WalletClient.ConnectAsync(new WalletClientOptions { UseDht = false, WorkSource = Clients.OneThread });

        SendResult result = await client.SendAsync(Recipient.Parse(uri.ToString()), Samples.Event(1), Clients.EasySend).WaitAsync(LoopbackNodes.Limit);

        Assert.True(result.MetTarget, string.Join("; ", result.Failures.Select(f => f.Reason)));
        Assert.Equal(nodes.Addresses.Order(), result.Receipts.Select(r => nodes.Addresses.Single(a => a.EndsWith(r.Node.ToString(), StringComparison.Ordinal))).Order());
    }

    [Fact]
    public async Task From_one_bootstrap_peer_the_DHT_providers_of_the_shard_key_make_up_the_three_nodes()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartWithDhtAsync(4);
        await using WalletClient client = await WalletClient.ConnectAsync(new WalletClientOptions
        {
            BootstrapPeers = [nodes.Address(0)],
            WorkSource = Clients.OneThread,
        });

        var found = await client.DiscoverAsync(Samples.SeedKey.Tag, 3).WaitAsync(LoopbackNodes.Limit);
        Assert.True(found.Count >= 3, $"found {found.Count}: {string.Join(", ", found)}");

        SendResult result = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(2), Clients.EasySend).WaitAsync(LoopbackNodes.Limit);
        Assert.True(result.MetTarget, string.Join("; ", result.Failures.Select(f => f.Reason)));

        var fetched = await client.FetchAsync(Samples.SeedKey, new Nnrp.Client.Mailbox.FetchOptions { MinimumWork = Samples.EasyThreshold, Nodes = 4 }).WaitAsync(LoopbackNodes.Limit);
        Assert.Equal(result.Hash, Assert.Single(fetched.Contents.Opened).Hash);
    }
}
