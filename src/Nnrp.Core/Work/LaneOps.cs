using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nnrp.Core.Work;

/// <summary>
/// The handful of 64-bit lane operations BLAKE2b needs, over one vector width. The
/// generated compression (<see cref="Blake2bLanes"/>) is written once against this
/// interface; the JIT specialises it per struct implementation, so each width compiles to
/// straight-line SIMD code with no calls.
/// </summary>
internal interface ILaneOps<TVec> where TVec : struct
{
    /// <summary>Nonces hashed per call.</summary>
    static abstract int Width { get; }

    /// <summary>The CPU runs this width in hardware.</summary>
    static abstract bool IsSupported { get; }

    static abstract TVec Broadcast(ulong value);

    /// <summary>Lanes start, start+1, …, start+Width−1 (wrapping).</summary>
    static abstract TVec Sequence(ulong start);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Xor(TVec a, TVec b);

    static abstract TVec Ror32(TVec x);

    static abstract TVec Ror24(TVec x);

    static abstract TVec Ror16(TVec x);

    static abstract TVec Ror63(TVec x);

    /// <summary>A bit per lane, set where <c>values[i] ≥ threshold</c> (unsigned).</summary>
    static abstract uint AtLeast(TVec values, ulong threshold);

    static abstract ulong Lane(TVec x, int index);
}

/// <summary>One nonce at a time in general-purpose registers.</summary>
internal readonly struct ScalarLanes : ILaneOps<ulong>
{
    public static int Width => 1;

    public static bool IsSupported => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Broadcast(ulong value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sequence(ulong start) => start;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add(ulong a, ulong b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Xor(ulong a, ulong b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ror32(ulong x) => BitOperations.RotateRight(x, 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ror24(ulong x) => BitOperations.RotateRight(x, 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ror16(ulong x) => BitOperations.RotateRight(x, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ror63(ulong x) => BitOperations.RotateRight(x, 63);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint AtLeast(ulong values, ulong threshold) => values >= threshold ? 1u : 0u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Lane(ulong x, int index) => x;
}

/// <summary>
/// Four nonces per 256-bit vector, AVX2 style: 32-bit rotation by a dword shuffle, 24- and
/// 16-bit by a byte shuffle, 63-bit by shift-and-add (AVX2 has no 64-bit rotate).
/// </summary>
internal readonly struct Vector256Lanes : ILaneOps<Vector256<ulong>>
{
    public static int Width => 4;

    public static bool IsSupported => Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Broadcast(ulong value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Sequence(ulong start) =>
        Vector256.Create(start) + Vector256.Create(0UL, 1UL, 2UL, 3UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Add(Vector256<ulong> a, Vector256<ulong> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Xor(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Ror32(Vector256<ulong> x) =>
        Avx2.Shuffle(x.AsUInt32(), 0b10_11_00_01).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Ror24(Vector256<ulong> x) =>
        Avx2.Shuffle(x.AsByte(), Vector256.Create(
            (byte)3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
            3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Ror16(Vector256<ulong> x) =>
        Avx2.Shuffle(x.AsByte(), Vector256.Create(
            (byte)2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
            2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Ror63(Vector256<ulong> x) =>
        Vector256.ShiftRightLogical(x, 63) | (x + x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint AtLeast(Vector256<ulong> values, ulong threshold) =>
        Vector256.GreaterThanOrEqual(values, Vector256.Create(threshold)).ExtractMostSignificantBits();

    public static ulong Lane(Vector256<ulong> x, int index) => x.GetElement(index);
}

/// <summary>Eight nonces per 512-bit vector with the AVX-512 64-bit rotate (vprorq).</summary>
internal readonly struct Vector512Lanes : ILaneOps<Vector512<ulong>>
{
    public static int Width => 8;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Broadcast(ulong value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Sequence(ulong start) =>
        Vector512.Create(start) + Vector512.Create(0UL, 1UL, 2UL, 3UL, 4UL, 5UL, 6UL, 7UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> a, Vector512<ulong> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Xor(Vector512<ulong> a, Vector512<ulong> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Ror32(Vector512<ulong> x) => Avx512F.RotateRight(x, 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Ror24(Vector512<ulong> x) => Avx512F.RotateRight(x, 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Ror16(Vector512<ulong> x) => Avx512F.RotateRight(x, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Ror63(Vector512<ulong> x) => Avx512F.RotateRight(x, 63);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint AtLeast(Vector512<ulong> values, ulong threshold) =>
        (uint)Vector512.GreaterThanOrEqual(values, Vector512.Create(threshold)).ExtractMostSignificantBits();

    public static ulong Lane(Vector512<ulong> x, int index) => x.GetElement(index);
}
