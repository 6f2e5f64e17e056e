using Nnrp.Core.Work;

namespace Nnrp.Core.Tests.Work;

public class ThresholdTests
{
    [Fact]
    public void Multiplier_matches_the_nano_work_server_example()
    {
        // nano-work-server README: value ffffffd21c3933f4 is 1.3946469 × the ffffffc000000000 threshold.
        Assert.Equal(1.3946469, Thresholds.ToMultiplier(0xffffffd21c3933f4, 0xffffffc000000000), 6);
    }

    [Fact]
    public void Nano_send_threshold_is_64_times_the_receive_threshold()
    {
        // nano-node config.cpp: epoch_2 = fffffff800000000, epoch_2_receive = fffffe0000000000 (1/64).
        Assert.Equal(64.0, Thresholds.ToMultiplier(Thresholds.NanoSend, Thresholds.Base));
        Assert.Equal(Thresholds.NanoSend, Thresholds.FromMultiplier(64, Thresholds.Base));
        Assert.Equal(Thresholds.Base, Thresholds.FromMultiplier(1.0 / 64, Thresholds.NanoSend));
    }

    [Fact]
    public void Base_threshold_costs_about_2_to_the_23_hashes()
    {
        Assert.Equal(Math.Pow(2, 23), Thresholds.ExpectedHashes(Thresholds.Base));
    }

    [Fact]
    public void Huge_multipliers_clamp_instead_of_wrapping()
    {
        Assert.Equal(ulong.MaxValue, Thresholds.FromMultiplier(1e30));
        Assert.Equal(0UL, Thresholds.FromMultiplier(1e-30));
        Assert.Throws<ArgumentOutOfRangeException>(() => Thresholds.FromMultiplier(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Thresholds.FromMultiplier(double.NaN));
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(64, 1.0)]
    [InlineData(128, 2.0)]
    [InlineData(192, 4.0)]
    public void Tag_escalation_doubles_every_64_after_the_first_64(long accepted, double expected)
    {
        Assert.Equal(expected, RequiredThreshold.TagEscalation(accepted, new WorkPolicy()), 9);
    }

    [Fact]
    public void Busy_merchant_pays_about_one_and_a_half_and_a_flood_about_2_to_the_15()
    {
        var policy = new WorkPolicy();
        Assert.InRange(RequiredThreshold.TagEscalation(100, policy), 1.4, 1.55);
        Assert.InRange(Math.Log2(RequiredThreshold.TagEscalation(1000, policy)), 14.0, 15.0);
    }

    [Fact]
    public void Load_multiplier_is_one_below_the_knee_and_max_at_saturation()
    {
        var policy = new WorkPolicy();
        Assert.Equal(1.0, RequiredThreshold.LoadMultiplier(0.0, policy));
        Assert.Equal(1.0, RequiredThreshold.LoadMultiplier(0.75, policy));
        Assert.Equal(8.0, RequiredThreshold.LoadMultiplier(0.875, policy), 9);
        Assert.Equal(64.0, RequiredThreshold.LoadMultiplier(1.0, policy), 9);
        Assert.Equal(64.0, RequiredThreshold.LoadMultiplier(5.0, policy), 9);
        Assert.Equal(1.0, RequiredThreshold.LoadMultiplier(double.NaN, policy));
    }

    [Fact]
    public void Required_threshold_is_base_when_quiet_and_rises_with_tag_and_load()
    {
        var policy = new WorkPolicy();
        Assert.Equal(Thresholds.Base, RequiredThreshold.Compute(0, 0, policy));
        Assert.Equal(Thresholds.Base, RequiredThreshold.Current(0.5, policy));
        ulong busyTag = RequiredThreshold.Compute(128, 0, policy);
        Assert.Equal(2.0, Thresholds.ToMultiplier(busyTag), 9);
        ulong both = RequiredThreshold.Compute(128, 1.0, policy);
        Assert.Equal(128.0, Thresholds.ToMultiplier(both), 6);
        Assert.True(both > busyTag && busyTag > Thresholds.Base);
    }

    [Fact]
    public void Combined_multiplier_is_capped()
    {
        var policy = new WorkPolicy { MaxMultiplier = 1024 };
        Assert.Equal(1024.0, RequiredThreshold.Multiplier(100_000, 1.0, policy));
        Assert.Equal(1024.0, Thresholds.ToMultiplier(RequiredThreshold.Compute(100_000, 1.0, policy)), 6);
    }
}
