using Nnrp.Node.Shards;

namespace Nnrp.Node.Tests.Shards;

/// <summary>NNRP.md §8.2: the depth from the budget and the median volume estimate.</summary>
public sealed class DepthPlannerTests
{
    private const long Budget = 1_000_000;

    [Fact]
    public void A_report_scales_stored_bytes_by_the_shallowest_depth_and_saturates()
    {
        Assert.Equal(4000UL, DepthPlanner.Report(1000, 2));
        Assert.Equal(1000UL, DepthPlanner.Report(1000, 0));
        Assert.Equal(ulong.MaxValue, DepthPlanner.Report(ulong.MaxValue / 2, 2));
    }

    [Fact]
    public void Fewer_than_three_reports_give_no_estimate_and_keep_the_depth()
    {
        Assert.Null(DepthPlanner.Estimate([]));
        Assert.Null(DepthPlanner.Estimate([5_000_000, 5_000_000]));
        Assert.Equal(3, DepthPlanner.Plan(3, null, Budget));
    }

    [Fact]
    public void One_liar_of_three_cannot_move_the_median_beyond_the_honest_figures()
    {
        Assert.Equal(600_000UL, DepthPlanner.Estimate([500_000, 600_000, ulong.MaxValue]));
        Assert.Equal(500_000UL, DepthPlanner.Estimate([500_000, 600_000, 0]));
        // The liar's huge figure does not make a node deepen.
        Assert.Equal(0, DepthPlanner.Plan(0, DepthPlanner.Estimate([500_000, 600_000, ulong.MaxValue]), Budget));
    }

    [Fact]
    public void An_even_count_takes_the_lower_middle_report()
    {
        Assert.Equal(2UL, DepthPlanner.Estimate([1, 2, 3, 4]));
    }

    [Theory]
    [InlineData(0, 750_000, 0)]      // exactly 3/4: stay
    [InlineData(0, 750_001, 1)]      // above 3/4: deepen
    [InlineData(2, 3_000_004, 3)]    // share 750 001 at depth 2
    [InlineData(3, 6_000_000, 3)]    // share 750 000: stay
    [InlineData(16, 100_000_000_000, 16)] // deepest already
    public void A_node_deepens_only_above_three_quarters_of_its_budget(int depth, long volume, int expected)
    {
        Assert.Equal(expected, DepthPlanner.Plan(depth, (ulong)volume, Budget));
    }

    [Theory]
    [InlineData(3, 999_999, 2)]      // one step up the share would be 249 999 < 1/4: shallower
    [InlineData(3, 1_000_000, 3)]    // 250 000 one step up: stay (hysteresis)
    [InlineData(3, 2_000_000, 3)]    // share 250 000, up 500 000: stay
    [InlineData(0, 0, 0)]            // shallowest already
    public void A_node_goes_shallower_only_when_the_share_one_step_up_is_under_a_quarter(int depth, long volume, int expected)
    {
        Assert.Equal(expected, DepthPlanner.Plan(depth, (ulong)volume, Budget));
    }

    [Fact]
    public void A_move_never_makes_the_opposite_move_due_at_once()
    {
        for (ulong volume = 0; volume < 40_000_000; volume += 7_919)
        {
            for (int depth = 0; depth < 6; depth++)
            {
                int next = DepthPlanner.Plan(depth, volume, Budget);
                if (next != depth)
                {
                    Assert.NotEqual(depth, DepthPlanner.Plan(next, volume, Budget));
                }
            }
        }
    }

    [Fact]
    public void A_small_network_keeps_every_node_full()
    {
        Assert.Equal(0, DepthPlanner.Plan(0, DepthPlanner.Estimate([1000, 2000, 3000]), Budget));
    }
}
