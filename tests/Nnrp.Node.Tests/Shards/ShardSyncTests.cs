using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Shards;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Sync;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §11.8.8: sync reconciles only the shards both sides hold, from a tag-filtered index.</summary>
public sealed class ShardSyncTests
{
    private static Notification Fresh(byte first) =>
        Notifications.WithWorkValue(Notifications.Make(Notifications.TagStartingWith(first, (byte)Random.Shared.Next(256)),
            timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - Random.Shared.Next(0, 3600)), Notifications.CheapBase);

    private static async Task StoreAsync(IngressGate gate, IEnumerable<Notification> items)
    {
        Decision[] results = await Task.WhenAll(items.Select(n => gate.SubmitAsync(n))).WaitAsync(NodeNetwork.Limit);
        Assert.All(results, r => Assert.Equal(DecisionStatus.Accepted, r.Status));
    }

    private static Func<NnrpNodeOptions, NnrpNodeOptions> Holding(string shards) =>
        o => o with { Shards = new ShardOptions { Setting = ShardSetting.Parse(shards) } };

    [Fact]
    public async Task Two_nodes_with_different_shards_sync_only_their_overlap()
    {
        await using NodeNetwork half = await NodeNetwork.StartAsync(configure: Holding("1/0"));
        await using NodeNetwork full = await NodeNetwork.StartAsync(configure: Holding("full"));
        List<Notification> low = Enumerable.Range(0, 60).Select(_ => Fresh((byte)Random.Shared.Next(0, 128))).ToList();
        List<Notification> high = Enumerable.Range(0, 60).Select(_ => Fresh((byte)Random.Shared.Next(128, 256))).ToList();
        await StoreAsync(full.Node.Ingress, low.Concat(high));

        await half.NodeHost.DialAsync(full.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        SyncOutcome outcome = await half.Node.Sync.SyncWithAsync(full.NodeHost.PeerId).WaitAsync(NodeNetwork.Limit);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Complete);
        Assert.Equal(1, outcome.Shards);
        Assert.Equal(low.Count, outcome.Pulled);
        Assert.All(low, n => Assert.True(half.Node.Store.Contains(n.Hash)));
        Assert.All(high, n => Assert.False(half.Node.Store.Contains(n.Hash)));
        // The other half was never even asked for: nothing reached the gate to be refused.
        Assert.Equal(0, half.Node.Ingress.Count(DecisionStatus.WrongShard));
    }

    [Fact]
    public async Task Nodes_holding_disjoint_shards_do_not_sync()
    {
        await using NodeNetwork a = await NodeNetwork.StartAsync(configure: Holding("1/0"));
        await using NodeNetwork b = await NodeNetwork.StartAsync(configure: Holding("2/2,2/3"));
        await a.NodeHost.DialAsync(b.NodeAddress, CancellationToken.None).WaitAsync(NodeNetwork.Limit);

        SyncOutcome outcome = await a.Node.Sync.SyncWithAsync(b.NodeHost.PeerId).WaitAsync(NodeNetwork.Limit);

        Assert.Equal(0, outcome.Shards);
        Assert.Equal(0, outcome.Rounds);
    }

    [Theory]
    [InlineData(3, 5u)]      // by_time, filtered
    [InlineData(10, 613u)]   // a by_shard8 bucket, filtered
    public void A_shard_set_reads_exactly_its_items_and_a_budget_cut_resumes_without_loss(int bits, uint index)
    {
        using var fixture = new StoreFixture();
        var shard = new ShardId(bits, index);
        var rng = new Random(bits);
        var all = new List<Notification>();
        for (int i = 0; i < 3000; i++)
        {
            byte[] tag = new byte[32];
            rng.NextBytes(tag);
            if (i % 5 == 0)
            {
                // Put a fifth inside the shard: its top bits are the index.
                uint top16 = (index << (16 - bits)) | (uint)rng.Next(1 << (16 - bits));
                tag[0] = (byte)(top16 >> 8);
                tag[1] = (byte)top16;
            }
            all.Add(Notifications.Make(RecipientTag.FromBytes(tag), timestamp: 1_800_000_000 + rng.Next(0, 100)));
        }
        fixture.Store.Put(all);
        TimeKey[] expected = [.. all.Where(n => shard.Covers(n.RecipientTag)).Select(n => new TimeKey(n.Timestamp, n.Hash)).Order()];
        ISyncSet set = new StoreSyncSet(fixture.Store).ForShard(shard);

        Assert.Equal(expected, set.Range(SyncBounds.Lowest, SyncBounds.Infinity).ToArray());
        var read = new List<TimeKey>();
        TimeKey lower = SyncBounds.Lowest;
        int rounds = 0;
        while (true)
        {
            var keys = new List<TimeKey>();
            bool whole = set.ReadBudgeted(lower, SyncBounds.Infinity, 100, keys, out TimeKey cut, out int scanned);
            Assert.True(scanned <= 100);
            Assert.All(keys, k => Assert.True(k >= lower && k < cut));
            read.AddRange(keys);
            rounds++;
            if (whole)
            {
                break;
            }
            Assert.True(cut > lower);
            lower = cut;
        }
        Assert.Equal(expected, read);
        Assert.True(rounds > 1, "the budget cut the range");
    }
}
