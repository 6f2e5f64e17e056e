using Nnrp.Node.Storage;

namespace Nnrp.Node.Tests.Storage;

/// <summary>The arithmetic of NNRP.md §6.4 pricing, apart from any store.</summary>
public sealed class StoreWorthTests
{
    [Fact]
    public void Threshold_to_beat_is_the_least_value_that_costs_less_than_the_floor()
    {
        for (int i = 0; i < 1000; i++)
        {
            int size = Random.Shared.Next(60, 2200);
            UInt128 floor = StoreWorth.Cost((ulong)Random.Shared.NextInt64() | ((ulong)Random.Shared.Next(2) << 63), Random.Shared.Next(60, 2200));
            ulong t = StoreWorth.ThresholdToBeat(floor, size);
            if (t == ulong.MaxValue && StoreWorth.Cost(t, size) >= floor)
            {
                continue; // no work is enough
            }
            Assert.True(StoreWorth.Cost(t, size) < floor);
            if (t > 0)
            {
                Assert.True(StoreWorth.Cost(t - 1, size) >= floor);
            }
        }
    }
}
