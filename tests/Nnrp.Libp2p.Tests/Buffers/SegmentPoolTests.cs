using System.Buffers;
using Nnrp.Libp2p.Buffers;

namespace Nnrp.Libp2p.Tests.Buffers;

/// <summary>The pipes' pool: right sizes, arrays reused, disposal idempotent.</summary>
public class SegmentPoolTests
{
    [Theory]
    [InlineData(-1, 4096)]
    [InlineData(1, 1)]
    [InlineData(16 * 1024, 16 * 1024)]
    public void A_rented_segment_is_at_least_the_size_asked(int ask, int atLeast)
    {
        using IMemoryOwner<byte> owner = SegmentPool.Instance.Rent(ask);
        Assert.True(owner.Memory.Length >= atLeast);
    }

    [Fact]
    public void A_returned_array_is_handed_out_again()
    {
        var pool = new SegmentPool();
        IMemoryOwner<byte> first = pool.Rent(16 * 1024);
        byte[] array = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(first.Memory, out var segment) ? segment.Array! : [];
        first.Dispose();
        first.Dispose(); // a second dispose must not return the array twice

        using IMemoryOwner<byte> second = pool.Rent(16 * 1024);
        using IMemoryOwner<byte> third = pool.Rent(16 * 1024);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(second.Memory, out var again));
        Assert.Same(array, again.Array);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(third.Memory, out var other));
        Assert.NotSame(array, other.Array);
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
    }
}
