using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Client.Tests.Network;

/// <summary>Fetch: several nodes, every page, merged, by prefix unless told otherwise.</summary>
public sealed class FetchTests : IDisposable
{
    private static readonly FetchOptions Easy = new() { MinimumWork = Samples.EasyThreshold };

    private readonly FakeNodes _nodes = new();
    private readonly NotificationKeyPair _key = Samples.SeedKey;

    private WalletClient Client() => new(_nodes, new WalletClientOptions { Nodes = _nodes.Nodes.Select(n => n.Address.ToString()).ToArray() });

    [Fact]
    public async Task A_fetch_asks_by_an_8_bit_prefix_and_never_names_the_tag()
    {
        FakeNode node = _nodes.Add();
        _nodes.Add();
        await using WalletClient client = Client();
        await client.FetchAsync(_key, Easy);
        FetchQuery query = node.Queries[0];
        Assert.Equal(FetchOptions.DefaultPrefixBits, query.PrefixBits);
        Assert.Null(query.ExactTag);
        Assert.True(query.Matches(_key.Tag));
    }

    [Fact]
    public async Task Every_page_of_every_node_is_read_and_copies_are_merged()
    {
        List<Notification> sent = Enumerable.Range(1, 5).Select(i => Samples.Sealed(_key, Samples.Event(i), (ulong)(1000 + i))).ToList();
        FakeNode a = _nodes.Add(), b = _nodes.Add();
        a.Stored.AddRange(sent);
        b.Stored.AddRange(sent.Take(3));
        await using WalletClient client = Client();

        FetchResult result = await client.FetchAsync(_key, Easy);

        Assert.Equal(sent.Select(s => s.Hash), result.Contents.Opened.Select(o => o.Hash));
        Assert.Equal(2, result.CompleteNodes);
        Assert.Equal(3, result.Nodes.Single(n => n.Node == a.Address).Pages); // 5 items, 2 per page
    }

    [Fact]
    public async Task Two_sources_are_paged_with_their_own_cursors_and_merged_in_time_order()
    {
        // NNRP.md §8.4 "Fetch": each node's cursor goes back only to that node; the merge is by hash, ordered by (timestamp, hash).
        List<Notification> sent = Enumerable.Range(1, 7).Select(i => Samples.Sealed(_key, Samples.Event(i), (ulong)(2000 + i))).ToList();
        FakeNode odd = _nodes.Add(), even = _nodes.Add();
        odd.Stored.AddRange(sent.Where((_, i) => i % 2 == 0));
        even.Stored.AddRange(sent.Where((_, i) => i % 2 == 1).Append(sent[0]));
        await using WalletClient client = Client();

        FetchResult result = await client.FetchAsync(_key, Easy with { Nodes = 2 });

        Assert.Equal(sent.Select(s => s.Hash), result.Contents.Opened.Select(o => o.Hash));
        Assert.Equal(2, result.Contents.Opened[0].Sources.Count);
        // A fake node answers BAD_FORM to a cursor it did not issue: both read to the end means none was mixed up.
        Assert.Equal(2, result.CompleteNodes);
        Assert.Equal([2, 2], new[] { odd, even }.Select(n => n.Queries.Count)); // 4 items each, 2 per page

    }

    [Fact]
    public async Task A_node_that_lost_its_data_does_not_lose_the_notifications()
    {
        Notification n = Samples.Sealed(_key, Samples.Event(1));
        _nodes.Add().Stored.Add(n);
        _nodes.Add(); // empty: it lost everything
        await using WalletClient client = Client();
        Assert.Equal(n.Hash, Assert.Single((await client.FetchAsync(_key, Easy)).Contents.Opened).Hash);
    }

    [Fact]
    public async Task A_dead_node_is_replaced_by_the_next_candidate()
    {
        Notification n = Samples.Sealed(_key, Samples.Event(1));
        FakeNode dead = _nodes.Add();
        dead.Down = true;
        _nodes.Add();
        _nodes.Add().Stored.Add(n);
        await using WalletClient client = Client();
        FetchResult result = await client.FetchAsync(_key, Easy with { Nodes = 2 });
        Assert.Single(result.Contents.Opened);
        Assert.Equal(2, result.CompleteNodes);
        Assert.Contains(result.Nodes, r => r.Node == dead.Address && !r.Complete);
    }

    [Fact]
    public async Task A_node_refusing_a_wide_prefix_is_asked_again_with_a_narrower_one()
    {
        FakeNode picky = _nodes.Add();
        picky.RefuseWidePrefixes = true;
        picky.Stored.Add(Samples.Sealed(_key, Samples.Event(1)));
        await using WalletClient client = Client();
        FetchResult result = await client.FetchAsync(_key, Easy);
        Assert.Single(result.Contents.Opened);
        Assert.Equal(16, Assert.Single(result.Nodes).PrefixBits);
    }

    [Fact]
    public async Task A_tampered_copy_is_reported_while_the_honest_copies_are_delivered()
    {
        Notification good = Samples.Sealed(_key, Samples.Event(1));
        byte[] payload = good.Payload.ToArray();
        payload[40] ^= 0xff;
        Notification tampered = Samples.WithEasyWork(new Notification(1, good.RecipientTag, good.Timestamp, good.Ttl, payload, 0));
        _nodes.Add().Stored.Add(tampered);
        _nodes.Add().Stored.Add(good);
        await using WalletClient client = Client();
        FetchResult result = await client.FetchAsync(_key, Easy);
        Assert.Single(result.Contents.Opened);
        Assert.Equal(RejectionReason.Undecryptable, Assert.Single(result.Contents.Rejected).Reason);
    }

    [Fact]
    public async Task The_next_fetch_asks_only_since_the_checkpoint_and_reports_only_new_items()
    {
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        FakeNode node = _nodes.Add();
        node.Stored.Add(Samples.Sealed(_key, Samples.Event(1), now - 10));
        await using WalletClient client = Client();

        FetchResult first = await client.FetchAsync(_key, Easy);
        Assert.Single(first.Contents.Opened);
        node.Stored.Add(Samples.Sealed(_key, Samples.Event(2), now - 5));
        FetchResult second = await client.FetchAsync(_key, Easy, first.Checkpoint);

        Assert.Equal(first.Checkpoint.Since, node.Queries[^1].Since);
        Assert.True(node.Queries[^1].Since > 0);
        Assert.Equal(Samples.Event(2), Assert.Single(second.Contents.Opened).Event);
        Assert.Equal(1, second.Contents.AlreadySeen);
    }

    [Fact]
    public async Task A_restored_from_seed_key_reads_the_same_mailbox()
    {
        Notification n = Samples.Sealed(_key, Samples.Event(7));
        _nodes.Add().Stored.Add(n);
        await using WalletClient client = Client();
        NotificationKeyPair restored = WalletKeys.FromSeed(Samples.SeedHex, 0);
        Assert.Equal(Samples.Event(7), Assert.Single((await client.FetchAsync(restored, Easy)).Contents.Opened).Event);
    }

    public void Dispose() => _nodes.Dispose();
}
