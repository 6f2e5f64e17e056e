using Nnrp.Client.Network;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Codecs;
using Nnrp.Core.Protocol;

namespace Nnrp.Client.Tests.Network;

/// <summary>
/// NNRP.md §8.4 "Verification" for relay hints and bootstrap peers (no DHT): a candidate whose
/// status covers the tag is a holder; one whose status does not is never asked; one that does
/// not answer status is tried after every verified holder. Named nodes are used as given.
/// </summary>
public sealed class CandidateVerificationTests : IDisposable
{
    private readonly FakeNodes _nodes = new();

    private static readonly SendOptions Easy = new() { InitialThreshold = Samples.EasyThreshold, Replicas = 2 };

    [Fact]
    public async Task A_hint_whose_status_does_not_cover_the_tag_is_not_asked_and_a_silent_one_comes_last()
    {
        FakeNode silent = _nodes.Add(), elsewhere = _nodes.Add(), full = _nodes.Add(), deep = _nodes.Add();
        silent.Silent = true;
        elsewhere.Shards[0] = new Shard { Bits = 8, Index = (Samples.SeedKey.Tag.ShardIndex(8) + 1) % 256 };
        deep.Shards[0] = new Shard { Bits = 12, Index = Samples.SeedKey.Tag.ShardIndex(12) };
        await using var client = new WalletClient(_nodes, new WalletClientOptions());

        HolderSearchResult found = await client.FindHoldersAsync(Samples.SeedKey.Tag, 2, [.. new[] { silent, elsewhere, full, deep }.Select(n => n.Address.ToString())]);

        Assert.Equal([full.Address, deep.Address, silent.Address], found.Nodes);
        Assert.Equal([true, true, false], found.Holders.Select(h => h.Verified));
        Assert.All(found.Holders, h => Assert.Equal(HolderSource.RelayHint, h.Source));
        Assert.Null(found.StartDepth); // no DHT: nothing looked up
    }

    [Fact]
    public async Task A_send_goes_to_verified_holders_only_and_says_how_many_it_found()
    {
        FakeNode elsewhere = _nodes.Add(), holder = _nodes.Add();
        elsewhere.Shards[0] = new Shard { Bits = 4, Index = (Samples.SeedKey.Tag.ShardIndex(4) + 1) % 16 };
        var uri = new NotificationUri(Samples.SeedKey.PublicKey, [elsewhere.Address.ToString(), holder.Address.ToString()]);
        await using var client = new WalletClient(_nodes, new WalletClientOptions());

        SendResult result = await client.SendAsync(Recipient.Parse(uri.ToString()), Samples.Event(), Easy);

        Assert.False(result.MetTarget); // 2 wanted, 1 holder: a partial result, not silent success
        Assert.Equal(1, result.HoldersFound);
        Assert.Single(result.Receipts);
        Assert.Equal(0, elsewhere.Publishes);
        Assert.Single(holder.Stored);
    }

    [Fact]
    public async Task Bootstrap_peers_are_verified_like_hints()
    {
        FakeNode elsewhere = _nodes.Add(), holder = _nodes.Add();
        elsewhere.Shards[0] = new Shard { Bits = 1, Index = Samples.SeedKey.Tag.ShardIndex(1) ^ 1 };
        await using var client = new WalletClient(_nodes, new WalletClientOptions { BootstrapPeers = [elsewhere.Address.ToString(), holder.Address.ToString()] });

        HolderSearchResult found = await client.FindHoldersAsync(Samples.SeedKey.Tag, 3);

        Holder only = Assert.Single(found.Holders);
        Assert.Equal((holder.Address, HolderSource.Bootstrap, true), (only.Node, only.Source, only.Verified));
        Assert.Equal(1, client.DeepestShardSeen);
    }

    [Fact]
    public async Task Named_nodes_are_used_as_given_without_a_status_request()
    {
        FakeNode elsewhere = _nodes.Add();
        elsewhere.Shards[0] = new Shard { Bits = 8, Index = (Samples.SeedKey.Tag.ShardIndex(8) + 1) % 256 };
        elsewhere.Silent = true;
        await using var client = new WalletClient(_nodes, new WalletClientOptions { Nodes = [elsewhere.Address.ToString()] });

        HolderSearchResult found = await client.FindHoldersAsync(Samples.SeedKey.Tag, 3);

        Assert.Equal((elsewhere.Address, HolderSource.Named, false), (found.Holders[0].Node, found.Holders[0].Source, found.Holders[0].Verified));
        Assert.Equal(-1, client.DeepestShardSeen);
    }

    public void Dispose() => _nodes.Dispose();
}
