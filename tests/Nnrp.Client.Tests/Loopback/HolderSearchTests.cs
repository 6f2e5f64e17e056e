using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Network;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Work;

namespace Nnrp.Client.Tests.Loopback;

/// <summary>
/// NNRP.md §8.4 "Finding holders" on real nodes (loopback, Kad-DHT, /nnrp/1.0): shards at
/// depths 0, 4 and 8 (see <see cref="ShardedNetwork"/>); a wallet that knows one bootstrap peer
/// walks the tag's shard keys from deep to shallow, keeps only providers whose status covers the
/// tag, publishes to 3 holders past one that refuses, fetches from 2 and merges, and never spends
/// more than <see cref="HolderSearch.MaxLookups"/> lookups.
/// </summary>
public sealed class HolderSearchTests(ShardedNetwork net) : IClassFixture<ShardedNetwork>
{
    private static readonly RecipientTag Tag = Samples.SeedKey.Tag; // top bits 0xf6

    [Fact]
    public async Task Holders_are_found_from_the_deepest_shard_seen_to_shallower_ones()
    {
        await using WalletClient client = await net.ClientAsync();

        HolderSearchResult found = await client.FindHoldersAsync(Tag, 3).WaitAsync(LoopbackNodes.Limit);

        // Statuses show depth 8 at most: the walk starts 2 deeper and stops once it has 3 + 2 spare holders.
        Assert.Equal(8, client.DeepestShardSeen);
        Assert.Equal(10, found.StartDepth);
        Assert.Equal([10, 9, 8, 7, 6, 5, 4], found.DepthsLookedUp);
        Assert.False(found.TimedOut);
        Assert.Equal([8, 8, 8, 4, 4], found.Holders.Take(5).Select(h => h.Depth));
        Assert.Equal([ShardedNetwork.Deep, ShardedNetwork.Deep, ShardedNetwork.Refuser], found.Holders.Take(3).Select(h => net.RoleOf(h.Node)).Order());
        Assert.Equal([ShardedNetwork.Mid, ShardedNetwork.Mid], found.Holders.Skip(3).Take(2).Select(h => net.RoleOf(h.Node)));
        Assert.All(found.Holders.Take(5), h => Assert.True(h.Verified && h.Source == HolderSource.Dht));
        // The full bootstrap peer holds the tag too: tried after the DHT's holders.
        Assert.Equal((ShardedNetwork.Root, HolderSource.Bootstrap), (net.RoleOf(found.Holders[5].Node), found.Holders[5].Source));
        Assert.Equal(6, found.Holders.Count);
    }

    [Fact]
    public async Task A_provider_whose_status_does_not_cover_the_tag_is_skipped()
    {
        await using WalletClient client = await net.ClientAsync();

        HolderSearchResult found = await client.FindHoldersAsync(Tag, 10).WaitAsync(LoopbackNodes.Limit);

        // The liar provides shard (8, 0xf6) in the DHT but its status says (8, 0xf7).
        Assert.DoesNotContain(found.Holders, h => net.RoleOf(h.Node) == ShardedNetwork.Liar);
        Assert.Equal(net.Count - 1, found.Holders.Count);
        Assert.All(found.Holders, h => Assert.True(h.Verified));
    }

    [Fact]
    public async Task A_send_lands_on_three_holders_past_one_that_refuses_and_a_fetch_merges_two()
    {
        await using WalletClient client = await net.ClientAsync();
        var send = new SendOptions { InitialThreshold = Samples.EasyThreshold, MaxMultiplier = 16 };

        SendResult sent = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(7), send).WaitAsync(LoopbackNodes.Limit);

        Assert.True(sent.MetTarget, string.Join("; ", sent.Failures.Select(f => f.Reason)));
        Assert.Equal(3, sent.Receipts.Count); // not more: a node is added only to replace one that failed
        Assert.All(sent.Receipts, r => Assert.Contains(net.RoleOf(r.Node), (string[])[ShardedNetwork.Deep, ShardedNetwork.Mid]));
        // The refusing holder (its work demand is over the sender's limit) was replaced, not fatal.
        Assert.Contains(sent.Failures, f => net.RoleOf(f.Node) == ShardedNetwork.Refuser && f.Reason.Contains("over the limit", StringComparison.Ordinal));
        Assert.DoesNotContain(sent.Failures, f => net.RoleOf(f.Node) == ShardedNetwork.Liar);

        // Read the three depth-8 holders: the two that took the send directly both return it; the
        // refuser's ingress turned it away (its gossip copy too), so it answers without it.
        FetchResult fetched = await client.FetchAsync(Samples.SeedKey, Clients.EasyFetch with { Nodes = 3 }).WaitAsync(LoopbackNodes.Limit);

        Assert.True(fetched.MetTarget);
        Assert.Equal(3, fetched.CompleteNodes);
        OpenedNotification opened = Assert.Single(fetched.Contents.Opened, o => o.Hash == sent.Hash); // merged: delivered once
        Assert.Equal(
            fetched.Nodes.Where(n => n.Complete && net.RoleOf(n.Node) != ShardedNetwork.Refuser).Select(n => n.Node.Peer!.ToString()).Order(),
            opened.Sources.Order());
        Assert.True(opened.Sources.Count >= 2);
    }

    [Fact]
    public async Task Another_tag_of_a_shard_already_walked_reuses_its_verified_holders_without_a_lookup()
    {
        await using WalletClient client = await net.ClientAsync();
        HolderSearchResult first = await client.FindHoldersAsync(Tag, 3).WaitAsync(LoopbackNodes.Limit);
        Assert.NotEmpty(first.DepthsLookedUp);
        byte[] bytes = Tag.ToArray();
        bytes[^1] ^= 0xff; // another recipient whose tag is in the same depth-8 shard
        RecipientTag neighbour = RecipientTag.FromBytes(bytes);

        HolderSearchResult second = await client.FindHoldersAsync(neighbour, 3).WaitAsync(LoopbackNodes.Limit);

        Assert.Empty(second.DepthsLookedUp); // no DHT lookup, no status probe of a provider
        Assert.Equal(first.Holders.Take(5).Select(h => h.Node.Key).Order(), second.Holders.Take(5).Select(h => h.Node.Key).Order());
        Assert.All(second.Holders.Take(5), h => Assert.True(h.Verified && h.Source == HolderSource.Dht));
    }

    [Fact]
    public async Task A_holder_that_failed_a_send_is_verified_again_by_a_new_walk_before_it_is_offered()
    {
        await using WalletClient client = await net.ClientAsync();
        SendResult sent = await client.SendAsync(Recipient.Parse(Samples.SeedUri), Samples.Event(9), new SendOptions { InitialThreshold = Samples.EasyThreshold, MaxMultiplier = 16 }).WaitAsync(LoopbackNodes.Limit);
        Assert.Contains(sent.Failures, f => net.RoleOf(f.Node) == ShardedNetwork.Refuser);

        HolderSearchResult again = await client.FindHoldersAsync(Tag, 3).WaitAsync(LoopbackNodes.Limit);

        // Four remembered holders are one short of 3 + 2 spare: the walk runs and finds the refuser anew.
        Assert.NotEmpty(again.DepthsLookedUp);
        Assert.Contains(again.Holders, h => net.RoleOf(h.Node) == ShardedNetwork.Refuser);
        Assert.Equal([8, 8, 8, 4, 4], again.Holders.Take(5).Select(h => h.Depth));
    }

    [Fact]
    public async Task A_tag_only_the_full_node_holds_costs_at_most_the_lookup_budget_and_the_send_says_so()
    {
        NotificationKeyPair other = ShardedNetwork.KeyOutsideTheShards();
        await using WalletClient client = await net.ClientAsync();

        HolderSearchResult found = await client.FindHoldersAsync(other.Tag, 3).WaitAsync(LoopbackNodes.Limit);

        Assert.Equal(HolderSearch.MaxLookups, found.DepthsLookedUp.Count);
        Assert.Equal(0, found.DepthsLookedUp[^1]);
        Holder only = Assert.Single(found.Holders);
        Assert.Equal((ShardedNetwork.Root, 0), (net.RoleOf(only.Node), only.Depth));

        SendResult sent = await client.SendAsync(Recipient.Parse(new NotificationUri(other.PublicKey, []).ToString()), Samples.Event(8), Clients.EasySend).WaitAsync(LoopbackNodes.Limit);

        Assert.False(sent.MetTarget);
        Assert.Equal(1, sent.HoldersFound);
        Assert.Equal(ShardedNetwork.Root, net.RoleOf(Assert.Single(sent.Receipts).Node));
    }
}

/// <summary>
/// Seven loopback nodes: the root (status (0, 0), the wallets' bootstrap peer), two of shard
/// (4, 0xf), two of shard (8, 0xf6), one more of (8, 0xf6) that demands 64× the sender's work
/// limit (a refusal), and a liar that provides (8, 0xf6) in the DHT while its status says
/// (8, 0xf7). Every node also provides (0, 0), as nodes on main do; the status decides.
/// </summary>
public sealed class ShardedNetwork : IAsyncLifetime
{
    public const string Root = "root", Mid = "depth4", Deep = "depth8", Refuser = "refuser", Liar = "liar";

    private static readonly string[] Roles = [Root, Mid, Mid, Deep, Deep, Refuser, Liar];

    private LoopbackNodes? _nodes;

    public int Count => Roles.Length;

    public async Task InitializeAsync()
    {
        ShardRole Role(string name) => name switch
        {
            Root => new ShardRole([LoopbackNodes.Full], []),
            Mid => new ShardRole([ShardRole.Of(4, 0xf)], [ShardRole.Of(4, 0xf)]),
            Deep => new ShardRole([ShardRole.Of(8, 0xf6)], [ShardRole.Of(8, 0xf6)]),
            Refuser => new ShardRole([ShardRole.Of(8, 0xf6)], [ShardRole.Of(8, 0xf6)], Thresholds.FromMultiplier(1024)),
            _ => new ShardRole([ShardRole.Of(8, 0xf7)], [ShardRole.Of(8, 0xf6)]),
        };
        _nodes = await LoopbackNodes.StartShardedAsync([.. Roles.Select(Role)]);
    }

    /// <summary>A wallet client that knows only the root.</summary>
    public Task<WalletClient> ClientAsync() => WalletClient.ConnectAsync(new WalletClientOptions
    {
        BootstrapPeers = [_nodes!.Address(0)],
        WorkSource = Clients.OneThread,
    });

    /// <summary>The role of the node at <paramref name="node"/> (by peer id).</summary>
    public string RoleOf(NodeAddress node) => RoleOf(node.Peer!);

    public string RoleOf(Nnrp.Libp2p.Identity.PeerId peer) =>
        Roles[Enumerable.Range(0, Count).Single(i => _nodes!.Node(i).PeerId.Equals(peer))];

    /// <summary>A key whose tag is in neither (4, 0xf) nor (8, 0xf6): only the root holds it.</summary>
    public static NotificationKeyPair KeyOutsideTheShards()
    {
        for (uint index = 1; ; index++)
        {
            NotificationKeyPair key = WalletKeys.FromSeed(Samples.SeedHex, index);
            if (key.Tag.ShardIndex(4) != 0xf)
            {
                return key;
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_nodes is not null)
        {
            await _nodes.DisposeAsync();
        }
    }
}
