using Nnrp.Libp2p.Host;

namespace Nnrp.Libp2p.Tests.Host;

/// <summary>The retry delay of reconnecting loops: first, doubling after each failure, capped.</summary>
public sealed class CappedBackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(6, 6_400)]
    public void Each_failure_in_a_row_doubles_the_delay(int attempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), CappedBackoff.Delay(First, Max, attempt));

    [Theory]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(int.MaxValue)]
    public void The_delay_never_passes_the_cap(int attempt) =>
        Assert.Equal(Max, CappedBackoff.Delay(First, Max, attempt));

    [Fact]
    public void A_negative_attempt_waits_the_first_delay() =>
        Assert.Equal(First, CappedBackoff.Delay(First, Max, -1));

    [Fact]
    public void A_cap_below_the_first_delay_wins() =>
        Assert.Equal(TimeSpan.FromMilliseconds(50), CappedBackoff.Delay(First, TimeSpan.FromMilliseconds(50), 0));
}
