using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nnrp.Core.Hashing;

/// <summary>
/// BLAKE2b (RFC 7693) with any digest length 1–64 and an optional key of up to 64 bytes.
/// A mutable value type: <see cref="Init(int, ReadOnlySpan{byte})"/>, any number of
/// <see cref="Update"/> calls, then <see cref="Final"/>. It never allocates; the whole state
/// (8 chain words, the 128-byte block buffer and the counter) lives inside the struct.
/// </summary>
/// <remarks>
/// NNRP uses it for the content hash (32 bytes), the recipient tag (32), seed-derived keys
/// (32, keyed), the proof-of-work value (8) and the NanoNym / Nano address checksums (5).
/// </remarks>
public struct Blake2b
{
    /// <summary>RFC 7693 §2.1: BLAKE2b works on 128-byte blocks.</summary>
    public const int BlockSize = 128;

    /// <summary>RFC 7693 §2.1: 1 ≤ nn ≤ 64.</summary>
    public const int MaxDigestSize = 64;

    /// <summary>RFC 7693 §2.1: 0 ≤ kk ≤ 64.</summary>
    public const int MaxKeySize = 64;

    // RFC 7693 §2.6: the SHA-512 initialisation vector.
    internal const ulong IV0 = 0x6A09E667F3BCC908UL;
    internal const ulong IV1 = 0xBB67AE8584CAA73BUL;
    internal const ulong IV2 = 0x3C6EF372FE94F82BUL;
    internal const ulong IV3 = 0xA54FF53A5F1D36F1UL;
    internal const ulong IV4 = 0x510E527FADE682D1UL;
    internal const ulong IV5 = 0x9B05688C2B3E6C1FUL;
    internal const ulong IV6 = 0x1F83D9ABFB41BD6BUL;
    internal const ulong IV7 = 0x5BE0CD19137E2179UL;

    private ChainWords _h;
    private BlockBuffer _buffer;
    private int _buffered;
    private ulong _t0;
    private ulong _t1;
    private int _digestSize;

    /// <summary>Starts a hash of <paramref name="digestSize"/> bytes, keyed when <paramref name="key"/> is not empty.</summary>
    /// <exception cref="ArgumentOutOfRangeException">digest size outside 1–64 or key longer than 64 bytes (a programming error, not input).</exception>
    public void Init(int digestSize, ReadOnlySpan<byte> key = default)
    {
        if (digestSize is < 1 or > MaxDigestSize)
        {
            throw new ArgumentOutOfRangeException(nameof(digestSize), digestSize, "BLAKE2b digest size must be 1..64 bytes (RFC 7693 §2.1).");
        }
        if (key.Length > MaxKeySize)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key.Length, "BLAKE2b key must be at most 64 bytes (RFC 7693 §2.1).");
        }
        // RFC 7693 §2.5: parameter block word 0 = 0x0101kknn (fanout 1, depth 1).
        _h[0] = IV0 ^ 0x01010000UL ^ ((ulong)key.Length << 8) ^ (ulong)digestSize;
        _h[1] = IV1;
        _h[2] = IV2;
        _h[3] = IV3;
        _h[4] = IV4;
        _h[5] = IV5;
        _h[6] = IV6;
        _h[7] = IV7;
        _t0 = 0;
        _t1 = 0;
        _buffered = 0;
        _digestSize = digestSize;
        Span<byte> buffer = _buffer;
        buffer.Clear();
        if (!key.IsEmpty)
        {
            // RFC 7693 §3.3: a key is padded to one full block and processed first.
            key.CopyTo(buffer);
            _buffered = BlockSize;
        }
    }

    /// <summary>Digest size chosen at <see cref="Init"/>.</summary>
    public readonly int DigestSize => _digestSize;

    /// <summary>Absorbs more message bytes.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        if (_digestSize == 0)
        {
            throw new InvalidOperationException("Blake2b.Init must be called before Update.");
        }
        Span<byte> buffer = _buffer;
        while (!data.IsEmpty)
        {
            // The last block must be compressed with the final flag, so a full buffer is only
            // compressed once we know more data follows.
            if (_buffered == BlockSize)
            {
                Increment(BlockSize);
                Compress(ref _h, buffer, _t0, _t1, final: false);
                _buffered = 0;
            }
            int take = Math.Min(BlockSize - _buffered, data.Length);
            data[..take].CopyTo(buffer[_buffered..]);
            _buffered += take;
            data = data[take..];
        }
    }

    /// <summary>Writes the digest into <paramref name="output"/>, which must hold <see cref="DigestSize"/> bytes.</summary>
    public void Final(Span<byte> output)
    {
        if (_digestSize == 0)
        {
            throw new InvalidOperationException("Blake2b.Init must be called before Final.");
        }
        if (output.Length < _digestSize)
        {
            throw new ArgumentException($"output must hold {_digestSize} bytes", nameof(output));
        }
        Span<byte> buffer = _buffer;
        Increment(_buffered);
        buffer[_buffered..].Clear();
        Compress(ref _h, buffer, _t0, _t1, final: true);
        Span<byte> full = stackalloc byte[MaxDigestSize];
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full[(i * 8)..], _h[i]);
        }
        full[.._digestSize].CopyTo(output);
        CryptographicClear(full);
    }

    /// <summary>One-shot hash; the digest size is <c>output.Length</c> (1–64).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output, ReadOnlySpan<byte> key = default)
    {
        var state = default(Blake2b);
        state.Init(output.Length, key);
        state.Update(data);
        state.Final(output);
    }

    /// <summary>One-shot hash returning a new array of <paramref name="digestSize"/> bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data, int digestSize, ReadOnlySpan<byte> key = default)
    {
        var output = new byte[digestSize];
        Hash(data, output, key);
        return output;
    }

    private void Increment(int count)
    {
        _t0 += (ulong)count;
        if (_t0 < (ulong)count)
        {
            _t1++;
        }
    }

    private static void CryptographicClear(Span<byte> span) =>
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(span);

    /// <summary>RFC 7693 §3.2, function F: compresses one 128-byte block into the chain words.</summary>
    internal static void Compress(ref ChainWords h, ReadOnlySpan<byte> block, ulong t0, ulong t1, bool final)
    {
        ulong m0 = BinaryPrimitives.ReadUInt64LittleEndian(block);
        ulong m1 = BinaryPrimitives.ReadUInt64LittleEndian(block[8..]);
        ulong m2 = BinaryPrimitives.ReadUInt64LittleEndian(block[16..]);
        ulong m3 = BinaryPrimitives.ReadUInt64LittleEndian(block[24..]);
        ulong m4 = BinaryPrimitives.ReadUInt64LittleEndian(block[32..]);
        ulong m5 = BinaryPrimitives.ReadUInt64LittleEndian(block[40..]);
        ulong m6 = BinaryPrimitives.ReadUInt64LittleEndian(block[48..]);
        ulong m7 = BinaryPrimitives.ReadUInt64LittleEndian(block[56..]);
        ulong m8 = BinaryPrimitives.ReadUInt64LittleEndian(block[64..]);
        ulong m9 = BinaryPrimitives.ReadUInt64LittleEndian(block[72..]);
        ulong m10 = BinaryPrimitives.ReadUInt64LittleEndian(block[80..]);
        ulong m11 = BinaryPrimitives.ReadUInt64LittleEndian(block[88..]);
        ulong m12 = BinaryPrimitives.ReadUInt64LittleEndian(block[96..]);
        ulong m13 = BinaryPrimitives.ReadUInt64LittleEndian(block[104..]);
        ulong m14 = BinaryPrimitives.ReadUInt64LittleEndian(block[112..]);
        ulong m15 = BinaryPrimitives.ReadUInt64LittleEndian(block[120..]);

        ulong v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
        ulong v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        ulong v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        ulong v12 = IV4 ^ t0, v13 = IV5 ^ t1;
        ulong v14 = final ? ~IV6 : IV6;
        ulong v15 = IV7;

        // RFC 7693 §2.7: the message schedule SIGMA, written out round by round (rounds 10
        // and 11 repeat rounds 0 and 1).
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m14, m10, m4, m8, m9, m15, m13, m6, m1, m12, m0, m2, m11, m7, m5, m3);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m11, m8, m12, m0, m5, m2, m15, m13, m10, m14, m3, m6, m7, m1, m9, m4);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m7, m9, m3, m1, m13, m12, m11, m14, m2, m6, m5, m10, m4, m0, m15, m8);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m9, m0, m5, m7, m2, m4, m10, m15, m14, m1, m11, m12, m6, m8, m3, m13);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m2, m12, m6, m10, m0, m11, m8, m3, m4, m13, m7, m5, m15, m14, m1, m9);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m12, m5, m1, m15, m14, m13, m4, m10, m0, m7, m6, m3, m9, m2, m8, m11);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m13, m11, m7, m14, m12, m1, m3, m9, m5, m0, m15, m4, m8, m6, m2, m10);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m6, m15, m14, m9, m11, m3, m0, m8, m12, m2, m13, m7, m1, m4, m10, m5);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m10, m2, m8, m4, m7, m6, m1, m5, m15, m11, m9, m14, m3, m12, m13, m0);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15);
        Round(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m14, m10, m4, m8, m9, m15, m13, m6, m1, m12, m0, m2, m11, m7, m5, m3);

        h[0] ^= v0 ^ v8;
        h[1] ^= v1 ^ v9;
        h[2] ^= v2 ^ v10;
        h[3] ^= v3 ^ v11;
        h[4] ^= v4 ^ v12;
        h[5] ^= v5 ^ v13;
        h[6] ^= v6 ^ v14;
        h[7] ^= v7 ^ v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(
        ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ref ulong v4, ref ulong v5, ref ulong v6, ref ulong v7,
        ref ulong v8, ref ulong v9, ref ulong v10, ref ulong v11, ref ulong v12, ref ulong v13, ref ulong v14, ref ulong v15,
        ulong s0, ulong s1, ulong s2, ulong s3, ulong s4, ulong s5, ulong s6, ulong s7,
        ulong s8, ulong s9, ulong s10, ulong s11, ulong s12, ulong s13, ulong s14, ulong s15)
    {
        // RFC 7693 §3.2: four column mixes, then four diagonal mixes.
        G(ref v0, ref v4, ref v8, ref v12, s0, s1);
        G(ref v1, ref v5, ref v9, ref v13, s2, s3);
        G(ref v2, ref v6, ref v10, ref v14, s4, s5);
        G(ref v3, ref v7, ref v11, ref v15, s6, s7);
        G(ref v0, ref v5, ref v10, ref v15, s8, s9);
        G(ref v1, ref v6, ref v11, ref v12, s10, s11);
        G(ref v2, ref v7, ref v8, ref v13, s12, s13);
        G(ref v3, ref v4, ref v9, ref v14, s14, s15);
    }

    /// <summary>RFC 7693 §3.1, the mixing function G with rotations (R1, R2, R3, R4) = (32, 24, 16, 63).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    [InlineArray(8)]
    internal struct ChainWords
    {
        private ulong _element;
    }

    [InlineArray(BlockSize)]
    private struct BlockBuffer
    {
        private byte _element;
    }
}
