using System.Buffers;

namespace Nnrp.Libp2p.Buffers;

/// <summary>
/// The memory pool behind every pipe of the stack (TCP, Noise, Yamux streams). The default
/// pool (<c>ArrayPool.Shared</c>) keeps only a few arrays per size per core: with a hundred
/// streams in flight its 4 KiB and 16 KiB buckets run dry on rent and overflow on return, so
/// segments become garbage and gen-2 collections follow (measured in docs/BENCHMARKS.md,
/// "GossipSub" and "Node"). This pool keeps up to <see cref="ArraysPerBucket"/> arrays per size,
/// as Kestrel's pinned block pool keeps its blocks.
/// </summary>
public sealed class SegmentPool : MemoryPool<byte>
{
    /// <summary>Arrays kept per size class; at 16 KiB this bounds the idle pool to 64 MiB in that class.</summary>
    public const int ArraysPerBucket = 4096;

    /// <summary>Largest array pooled; larger rents are plain allocations (rare: pipes ask for segments).</summary>
    public const int MaxArrayLength = 1024 * 1024;

    private readonly ArrayPool<byte> _arrays = ArrayPool<byte>.Create(MaxArrayLength, ArraysPerBucket);

    public static SegmentPool Instance { get; } = new();

    public override int MaxBufferSize => MaxArrayLength;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) =>
        new Owner(_arrays, _arrays.Rent(minBufferSize < 0 ? 4096 : minBufferSize));

    protected override void Dispose(bool disposing)
    {
        // Shared for the process's lifetime; nothing to release.
    }

    private sealed class Owner(ArrayPool<byte> pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Owner));

        public void Dispose()
        {
            byte[]? array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                pool.Return(array);
            }
        }
    }
}
