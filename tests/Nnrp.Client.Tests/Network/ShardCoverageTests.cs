using Nnrp.Client.Network;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;

namespace Nnrp.Client.Tests.Network;

/// <summary>
/// NNRP.md §8.4 "Verification" and "Where to start": which statuses cover a tag, what counts as
/// evidence of depth, and which depths one search may look up.
/// </summary>
public sealed class ShardCoverageTests
{
    private static readonly RecipientTag Tag = Samples.SeedKey.Tag; // top byte 0xf6

    private static Shard S(uint bits, uint index) => new() { Bits = bits, Index = index };

    [Fact]
    public void A_shard_covers_the_tags_whose_top_bits_are_its_index()
    {
        Assert.True(ShardCoverage.Covers([S(0, 0)], Tag));
        Assert.True(ShardCoverage.Covers([S(4, 0xf)], Tag));
        Assert.True(ShardCoverage.Covers([S(8, 0xf6)], Tag));
        Assert.True(ShardCoverage.Covers([S(8, 0x01), S(12, 0xf68)], Tag));
        Assert.False(ShardCoverage.Covers([S(4, 0xe)], Tag));
        Assert.False(ShardCoverage.Covers([S(8, 0xf7)], Tag));
        Assert.False(ShardCoverage.Covers([], Tag));
    }

    [Fact]
    public void Entries_that_are_not_shards_cover_nothing_and_are_no_evidence()
    {
        Shard[] bogus = [S(33, 0), S(4, 16), S(1, 2)];
        Assert.False(ShardCoverage.Covers(bogus, Tag));
        Assert.Null(ShardCoverage.DeepestBits(bogus));
        Assert.Equal(12, ShardCoverage.DeepestBits([.. bogus, S(12, 7), S(3, 1)]));
    }

    [Fact]
    public void Without_evidence_a_search_starts_at_the_headroom_and_follows_the_deepest_status_seen()
    {
        var evidence = new DepthEvidence();
        Assert.Equal(-1, evidence.Deepest);
        Assert.Equal(HolderSearch.DepthHeadroom, evidence.StartDepth);

        evidence.Observe(Status(S(8, 1)));
        evidence.Observe(Status(S(4, 1)));
        Assert.Equal(8, evidence.Deepest);
        Assert.Equal(8 + HolderSearch.DepthHeadroom, evidence.StartDepth);

        evidence.Observe(Status(S(30, 1)));
        Assert.Equal(HolderSearch.MaxDepth, evidence.Deepest);
        Assert.Equal(HolderSearch.MaxDepth, evidence.StartDepth);
    }

    [Fact]
    public void The_routing_table_sample_is_taken_once_per_client()
    {
        var evidence = new DepthEvidence();
        Assert.True(evidence.TryClaimSample());
        Assert.False(evidence.TryClaimSample());
    }

    [Theory]
    [InlineData(0, new[] { 0 })]
    [InlineData(2, new[] { 2, 1, 0 })]
    [InlineData(7, new[] { 7, 6, 5, 4, 3, 2, 1, 0 })]
    [InlineData(10, new[] { 10, 9, 8, 7, 6, 5, 4, 0 })]
    [InlineData(16, new[] { 16, 15, 14, 13, 12, 11, 10, 0 })]
    [InlineData(40, new[] { 16, 15, 14, 13, 12, 11, 10, 0 })]
    public void A_search_looks_up_depths_deepest_first_within_the_lookup_budget_ending_at_full_nodes(int start, int[] depths)
    {
        IReadOnlyList<int> looked = HolderSearch.Depths(start);
        Assert.Equal(depths, looked);
        Assert.True(looked.Count <= HolderSearch.MaxLookups);
    }

    private static StatusResponse Status(params Shard[] shards)
    {
        var status = new StatusResponse();
        status.Shards.Add(shards);
        return status;
    }
}
