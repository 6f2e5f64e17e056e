using System.Runtime.CompilerServices;

namespace Nnrp.Core.Work;

/// <summary>
/// Multi-lane BLAKE2b specialised for proof of work: hashes <c>Width</c> consecutive nonces
/// per step and reports the first that meets the threshold. The compression itself is in
/// <c>Blake2bLanes.Generated.cs</c>.
/// </summary>
internal static partial class Blake2bLanes
{
    /// <summary>
    /// Hashes nonces <c>start, start+1, …</c> for <paramref name="steps"/> steps of
    /// <c>TOps.Width</c> lanes. Returns true with the first (lowest-lane) nonce whose value
    /// meets <paramref name="threshold"/> in the step where one was found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Search<TOps, TVec>(in PowMidstate state, ulong start, long steps, ulong threshold, out ulong work, out ulong value)
        where TOps : struct, ILaneOps<TVec>
        where TVec : struct
    {
        TVec nonces = TOps.Sequence(start);
        TVec stride = TOps.Broadcast((ulong)TOps.Width);
        for (long i = 0; i < steps; i++)
        {
            TVec values = Values<TOps, TVec>(state, nonces);
            uint hits = TOps.AtLeast(values, threshold);
            if (hits != 0)
            {
                int lane = System.Numerics.BitOperations.TrailingZeroCount(hits);
                work = TOps.Lane(nonces, lane);
                value = TOps.Lane(values, lane);
                return true;
            }
            nonces = TOps.Add(nonces, stride);
        }
        work = 0;
        value = 0;
        return false;
    }
}
