using System.Buffers.Binary;
using System.Globalization;

namespace Nnrp.Core.Work;

/// <summary>
/// Nano-compatible proof of work (DESIGN "Wire decisions"; nano-node <c>nano/lib/work.cpp</c>):
/// <code>
///   value = BLAKE2b(outlen = 8, work:u64 LE ‖ root:32) read as u64 LE
///   valid  ⇔ value ≥ threshold
/// </code>
/// For NNRP the root is the notification's content hash, so any Nano work server
/// (<c>work_generate</c> with <c>hash</c> = the content hash) produces valid NNRP work.
/// </summary>
public static class ProofOfWork
{
    /// <summary>The root is a 32-byte hash (a Nano block root / an NNRP content hash).</summary>
    public const int RootSize = 32;

    /// <summary>Text form: 16 hex digits of the u64, big-endian, as Nano writes work.</summary>
    public const int WorkTextLength = 16;

    /// <summary>The PoW value of <paramref name="work"/> over <paramref name="root"/> (32 bytes).</summary>
    public static ulong Value(ReadOnlySpan<byte> root, ulong work)
    {
        var state = new PowMidstate(root);
        return Blake2bLanes.Values<ScalarLanes, ulong>(state, work);
    }

    /// <summary>True when <paramref name="work"/> over <paramref name="root"/> meets <paramref name="threshold"/>.</summary>
    public static bool IsValid(ReadOnlySpan<byte> root, ulong work, ulong threshold) =>
        Value(root, work) >= threshold;

    /// <summary>
    /// The same value computed with the general-purpose BLAKE2b (one Init/Update/Final): the
    /// reference the specialised lanes are tested against, and the "plain scalar" baseline
    /// of the benchmarks.
    /// </summary>
    public static ulong ValueReference(ReadOnlySpan<byte> root, ulong work)
    {
        if (root.Length != RootSize)
        {
            throw new NnrpFormatException($"a PoW root is {RootSize} bytes, not {root.Length}");
        }
        Span<byte> message = stackalloc byte[8 + RootSize];
        BinaryPrimitives.WriteUInt64LittleEndian(message, work);
        root.CopyTo(message[8..]);
        Span<byte> digest = stackalloc byte[8];
        Hashing.Blake2b.Hash(message, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>Work as Nano writes it: 16 lowercase hex digits, big-endian.</summary>
    public static string FormatWork(ulong work) => work.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Parses exactly 16 hex digits (either case), big-endian.</summary>
    public static ulong ParseWork(ReadOnlySpan<char> text)
    {
        if (!TryParseWork(text, out ulong work))
        {
            throw new NnrpFormatException($"work must be exactly {WorkTextLength} hex digits (big-endian u64)");
        }
        return work;
    }

    /// <summary>Parses exactly 16 hex digits (either case), big-endian.</summary>
    public static bool TryParseWork(ReadOnlySpan<char> text, out ulong work)
    {
        work = 0;
        if (text.Length != WorkTextLength)
        {
            return false;
        }
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        return ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out work);
    }
}
