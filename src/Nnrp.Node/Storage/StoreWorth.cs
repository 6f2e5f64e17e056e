namespace Nnrp.Node.Storage;

/// <summary>
/// Work per byte, the order of the global size cap (NNRP.md §6.4). A notification whose work
/// value is v was found after 2^64 / (2^64 − v) hashes on average, so
/// <code>
///   cost = (2^64 − value) × size      (size = bytes of its §3.4 encoding)
/// </code>
/// is inversely proportional to the work it carries per byte it occupies: the larger the
/// cost, the less it paid for its room, and the sooner it goes. Integers, so every node orders
/// alike; the product fits in 77 bits.
/// </summary>
public static class StoreWorth
{
    private static readonly UInt128 TwoTo64 = (UInt128)ulong.MaxValue + 1;

    /// <summary>(2^64 − <paramref name="value"/>) × <paramref name="size"/>.</summary>
    public static UInt128 Cost(ulong value, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return (TwoTo64 - value) * (uint)size;
    }

    /// <summary>
    /// The lowest threshold at which a notification of <paramref name="size"/> bytes costs less
    /// than <paramref name="floorCost"/>, i.e. carries more work per byte than the least-worth
    /// stored notification: value ≥ 2^64 − ⌊(floorCost − 1) / size⌋. <see cref="ulong.MaxValue"/>
    /// when no work value is enough.
    /// </summary>
    public static ulong ThresholdToBeat(UInt128 floorCost, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (floorCost == 0)
        {
            return ulong.MaxValue;
        }
        UInt128 room = (floorCost - 1) / (uint)size;
        if (room == 0)
        {
            return ulong.MaxValue;
        }
        return room >= TwoTo64 ? 0 : (ulong)(TwoTo64 - room);
    }
}

/// <summary>
/// What pricing needs from the global cap, without touching the disk: the bytes held, the cap,
/// and the cost (§6.4) of the first notification to go (0 when the store is empty).
/// </summary>
/// <param name="Bytes">Sum of encoded sizes stored.</param>
/// <param name="MaxBytes">The global size cap.</param>
/// <param name="LeastWorthCost">Cost of the least work per byte stored; 0 when nothing is stored.</param>
public readonly record struct StoreFloor(long Bytes, long MaxBytes, UInt128 LeastWorthCost)
{
    /// <summary>Store fill, 0 … 1: one input of the load factor u (NNRP.md §6.3).</summary>
    public double Fill => MaxBytes <= 0 ? 1.0 : Math.Clamp((double)Bytes / MaxBytes, 0.0, 1.0);

    /// <summary>True when <paramref name="size"/> more bytes would cross the cap, so something must go.</summary>
    public bool IsFullFor(int size) => Bytes + size > MaxBytes;

    /// <summary>
    /// True when a newcomer of this value and size would be the first to go (§6.4: it must carry
    /// strictly more work per byte than the least stored; the newcomer loses ties).
    /// </summary>
    public bool Refuses(ulong value, int size) => IsFullFor(size) && (Bytes == 0 || StoreWorth.Cost(value, size) >= LeastWorthCost);

    /// <summary>The threshold a newcomer of <paramref name="size"/> bytes must meet to get in now.</summary>
    public ulong ThresholdFor(int size) => Bytes == 0 ? ulong.MaxValue : StoreWorth.ThresholdToBeat(LeastWorthCost, size);
}
