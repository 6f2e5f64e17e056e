using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Decisions;
using Nnrp.Node.Shards;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §8.5: a deepening node keeps the sibling half until 3 verified providers hold it.</summary>
public sealed class DeepeningTests
{
    private static Notification Fresh(byte first) =>
        Notifications.WithWorkValue(Notifications.Make(Notifications.TagStartingWith(first, (byte)Random.Shared.Next(256)),
            timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Notifications.CheapBase);

    [Fact]
    public async Task Deepening_keeps_the_sibling_until_it_has_three_verified_providers_then_drops_it()
    {
        await using NodeNetwork mover = await NodeNetwork.StartAsync(configure: o => o with { PrivateNetwork = true });
        NnrpNode node = mover.Node;
        ShardId home = ShardId.Home(node.PeerId.Bytes.Span, 1);
        ShardId sibling = home.Sibling;
        byte homeByte = (byte)(home.Index << 7), siblingByte = (byte)(sibling.Index << 7);
        List<Notification> mine = Enumerable.Range(0, 10).Select(_ => Fresh(homeByte)).ToList();
        List<Notification> theirs = Enumerable.Range(0, 10).Select(_ => Fresh(siblingByte)).ToList();
        foreach (Notification n in mine.Concat(theirs))
        {
            Assert.Equal(DecisionStatus.Accepted, (await node.Ingress.SubmitAsync(n)).Status);
        }

        Assert.True(node.Shards.MoveTo(1));
        Assert.Equal(Move.Deepening, node.Shards.Moving);
        await NodeNetwork.UntilAsync(() => node.ProvidedShards.SequenceEqual([ShardId.Full, home]), "the node provides the old shard and its new home");
        await node.EvaluateShardsAsync();

        // No one else holds the sibling: everything is kept, and (0, 0) is still held.
        Assert.Equal(Move.Deepening, node.Shards.Moving);
        Assert.Equal(ShardSet.Full, node.HeldShards);
        Assert.All(theirs, n => Assert.True(node.Store.Contains(n.Hash)));

        var holders = new List<NodeNetwork>();
        try
        {
            for (int i = 0; i < ShardResponsibility.SafeProviders; i++)
            {
                holders.Add(await NodeNetwork.StartAsync(configure: o => o with
                {
                    PrivateNetwork = true,
                    Shards = new ShardOptions { Setting = new ShardSetting { Fixed = new ShardSet([sibling]) } },
                    Dht = o.Dht with { BootstrapPeers = [mover.NodeAddress] },
                }));
            }
            using var limit = new CancellationTokenSource(NodeNetwork.Limit);
            while (node.Shards.Moving == Move.Deepening)
            {
                await node.EvaluateShardsAsync(limit.Token);
                await Task.Delay(100, limit.Token);
            }
        }
        finally
        {
            foreach (NodeNetwork h in holders)
            {
                await h.DisposeAsync();
            }
        }

        Assert.Equal(new ShardSet([home]), node.HeldShards);
        Assert.All(theirs, n => Assert.False(node.Store.Contains(n.Hash)));
        Assert.All(mine, n => Assert.True(node.Store.Contains(n.Hash)));
        await NodeNetwork.UntilAsync(() => node.ProvidedShards.SequenceEqual([home]), "the node stops providing (0, 0)");
        Assert.Equal(DecisionStatus.WrongShard, (await node.Ingress.SubmitAsync(Fresh(siblingByte))).Status);
    }

    /// <summary>
    /// Found by the sharded loopback testnet (issue 15): a node that deepened stops providing
    /// (0, 0), but its record lives on in the DHT until it expires. Counted as a holder of
    /// every shard inside (0, 0) because it still answers status, such a record let a deepening
    /// node drop a sibling that nobody held any more.
    /// </summary>
    [Fact]
    public async Task A_stale_record_of_a_containing_shard_is_no_sibling_holder()
    {
        await using NodeNetwork mover = await NodeNetwork.StartAsync(configure: o => o with { PrivateNetwork = true });
        NnrpNode node = mover.Node;
        ShardId home = ShardId.Home(node.PeerId.Bytes.Span, 1);
        byte siblingByte = (byte)(home.Sibling.Index << 7);
        List<Notification> theirs = Enumerable.Range(0, 10).Select(_ => Fresh(siblingByte)).ToList();
        foreach (Notification n in theirs)
        {
            Assert.Equal(DecisionStatus.Accepted, (await node.Ingress.SubmitAsync(n)).Status);
        }
        Assert.True(node.Shards.MoveTo(1));

        // Three nodes that left (0, 0) for the mover's own half: their (0, 0) records are still stored.
        var movedOn = new List<NodeNetwork>();
        try
        {
            for (int i = 0; i < ShardResponsibility.SafeProviders; i++)
            {
                NodeNetwork other = await NodeNetwork.StartAsync(configure: o => o with
                {
                    PrivateNetwork = true,
                    Shards = new ShardOptions { Setting = new ShardSetting { Fixed = new ShardSet([home]) } },
                    Dht = o.Dht with { BootstrapPeers = [mover.NodeAddress] },
                });
                movedOn.Add(other);
                DateTimeOffset now = DateTimeOffset.UtcNow;
                node.Kad.Providers.Add(ShardId.Full.WireKey(), new KadPeer(other.Node.PeerId.Bytes.Span, other.NodeHost.ListenAddresses), now.AddHours(1), now);
            }
            for (int i = 0; i < 3; i++)
            {
                await node.EvaluateShardsAsync();
                Assert.Equal(Move.Deepening, node.Shards.Moving);
                Assert.Equal(ShardSet.Full, node.HeldShards);
                Assert.All(theirs, n => Assert.True(node.Store.Contains(n.Hash)));
            }
        }
        finally
        {
            foreach (NodeNetwork other in movedOn)
            {
                await other.DisposeAsync();
            }
        }
    }

    [Fact]
    public void Going_shallower_takes_the_parent_at_once_and_provides_it_only_once_caught_up()
    {
        byte[] peer = System.Security.Cryptography.RandomNumberGenerator.GetBytes(38);
        var shards = new ShardResponsibility(ShardSetting.Auto, peer, depth: 3);
        ShardId home = ShardId.Home(peer, 3);

        Assert.True(shards.MoveTo(2));
        Assert.Equal(new ShardSet([home.Parent]), shards.Held);
        Assert.Equal(new ShardSet([home]), shards.Provided);
        Assert.Equal(home.Sibling, shards.NewHalf);
        Assert.False(shards.MoveTo(1));   // one move at a time

        Assert.True(shards.CaughtUp());
        Assert.Equal(new ShardSet([home.Parent]), shards.Provided);
        Assert.Equal(Move.None, shards.Moving);
    }

    [Fact]
    public void A_fixed_setting_never_moves()
    {
        var shards = new ShardResponsibility(ShardSetting.FullNode, new byte[38]);
        Assert.False(shards.MoveTo(1));
        Assert.Null(shards.SiblingReplicated(10));
        Assert.Equal(ShardSet.Full, shards.Held);
    }
}
