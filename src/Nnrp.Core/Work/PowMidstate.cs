using System.Buffers.Binary;
using System.Numerics;

namespace Nnrp.Core.Work;

/// <summary>
/// Everything in a PoW hash that does not depend on the nonce, computed once per root.
/// <code>
///   block (128 bytes, one compression, final, t = 40):
///   ┌──────────────┬──────────────────────────────┬────────────── zero ─────────────┐
///   │ m0 = work LE │ m1..m4 = root (32 bytes, LE) │ m5..m15 = 0                       │
///   └──────────────┴──────────────────────────────┴───────────────────────────────────┘
/// </code>
/// V0..V15 are the working vector as <see cref="Blake2bLanes"/> expects it: V0, V4, V8,
/// V12 at their initial values (the first column mix reads the nonce), the other twelve
/// already through the round-0 column mixes G1..G3, which read only m2..m7.
/// </summary>
internal readonly struct PowMidstate
{
    /// <summary>RFC 7693 §2.5 parameter word 0 for an 8-byte unkeyed digest: IV0 ^ 0x01010008.</summary>
    public const ulong H0Init = Hashing.Blake2b.IV0 ^ 0x01010008UL;

    /// <summary>Bytes in the PoW message: work (8) ‖ root (32).</summary>
    public const int MessageLength = 40;

    public readonly ulong H0, M1, M2, M3, M4;
    public readonly ulong V0, V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15;

    public PowMidstate(ReadOnlySpan<byte> root)
    {
        if (root.Length != ProofOfWork.RootSize)
        {
            throw new NnrpFormatException($"a PoW root is {ProofOfWork.RootSize} bytes, not {root.Length}");
        }
        H0 = H0Init;
        M1 = BinaryPrimitives.ReadUInt64LittleEndian(root);
        M2 = BinaryPrimitives.ReadUInt64LittleEndian(root[8..]);
        M3 = BinaryPrimitives.ReadUInt64LittleEndian(root[16..]);
        M4 = BinaryPrimitives.ReadUInt64LittleEndian(root[24..]);

        V0 = H0Init;
        V4 = Hashing.Blake2b.IV4;
        V8 = Hashing.Blake2b.IV0;
        V12 = Hashing.Blake2b.IV4 ^ MessageLength;

        ulong v1 = Hashing.Blake2b.IV1, v5 = Hashing.Blake2b.IV5, v9 = Hashing.Blake2b.IV1, v13 = Hashing.Blake2b.IV5;
        ulong v2 = Hashing.Blake2b.IV2, v6 = Hashing.Blake2b.IV6, v10 = Hashing.Blake2b.IV2, v14 = ~Hashing.Blake2b.IV6;
        ulong v3 = Hashing.Blake2b.IV3, v7 = Hashing.Blake2b.IV7, v11 = Hashing.Blake2b.IV3, v15 = Hashing.Blake2b.IV7;
        // Round 0 uses SIGMA[0] = identity: G1 gets (m2, m3), G2 (m4, m5 = 0), G3 (m6 = 0, m7 = 0).
        G(ref v1, ref v5, ref v9, ref v13, M2, M3);
        G(ref v2, ref v6, ref v10, ref v14, M4, 0);
        G(ref v3, ref v7, ref v11, ref v15, 0, 0);
        V1 = v1; V5 = v5; V9 = v9; V13 = v13;
        V2 = v2; V6 = v6; V10 = v10; V14 = v14;
        V3 = v3; V7 = v7; V11 = v11; V15 = v15;
    }

    private static void G(ref ulong a, ref ulong b, ref ulong c, ref ulong d, ulong x, ulong y)
    {
        a = a + b + x;
        d = BitOperations.RotateRight(d ^ a, 32);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 24);
        a = a + b + y;
        d = BitOperations.RotateRight(d ^ a, 16);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 63);
    }
}
