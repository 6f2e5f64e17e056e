using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// A multihash (multiformats/multihash):
/// <code>
///   ┌──────────────────┬────────────────────┬────────────────────────┐
///   │ uvarint hash code│ uvarint digest len │ digest (len bytes)     │
///   └──────────────────┴────────────────────┴────────────────────────┘
/// </code>
/// Two readings: <see cref="Validate"/> checks the framing of any multihash (a multiaddr's
/// <c>/p2p</c> or <c>/certhash</c> value); <see cref="TryParse"/> accepts only the two forms a
/// peer id takes (peer-ids/peer-ids.md "Peer Ids"): identity (0x00, the key protobuf itself,
/// ≤ 42 bytes) and sha2-256 (0x12, 32 bytes).
/// </summary>
internal static class Multihash
{
    public const ulong Identity = 0x00;

    public const ulong Sha2_256 = 0x12;

    public const ulong Sha2_512 = 0x13;

    public const int Sha2_256Length = 32;

    /// <summary>peer-ids.md: keys that serialise to at most 42 bytes use the identity multihash.</summary>
    public const int MaxInlineKeyLength = 42;

    /// <summary>
    /// Null when <paramref name="multihash"/> is well framed, else why not. Only the framing is
    /// checked, plus that a known hash function's digest is not longer than the function
    /// produces (go-multiaddr refuses a 33-byte "sha2-256" peer id the same way).
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> multihash) => Read(multihash, out _, out _);

    /// <summary>Parses a whole peer-id multihash; false for any other shape or an unknown hash code.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out ulong code, out ReadOnlySpan<byte> digest)
    {
        if (Read(bytes, out code, out digest) is not null)
        {
            return false;
        }
        return code switch
        {
            Identity => digest.Length <= MaxInlineKeyLength,
            Sha2_256 => digest.Length == Sha2_256Length,
            _ => false,
        };
    }

    private static string? Read(ReadOnlySpan<byte> multihash, out ulong code, out ReadOnlySpan<byte> digest)
    {
        code = 0;
        digest = default;
        if (multihash.IsEmpty)
        {
            return "empty multihash";
        }
        string? error = SpanVarint.TryRead(multihash, "multihash code", out code, out int n);
        if (error is not null)
        {
            return error;
        }
        multihash = multihash[n..];
        error = SpanVarint.TryRead(multihash, "multihash digest length", out ulong length, out n);
        if (error is not null)
        {
            return error;
        }
        multihash = multihash[n..];
        if ((ulong)multihash.Length != length)
        {
            return $"multihash declares a {length}-byte digest but holds {multihash.Length} bytes";
        }
        ulong maxDigest = code switch
        {
            Sha2_256 => 32,
            Sha2_512 => 64,
            _ => ulong.MaxValue,
        };
        if (length > maxDigest)
        {
            return $"multihash digest of {length} bytes is longer than hash function 0x{code:x} produces ({maxDigest})";
        }
        digest = multihash;
        return null;
    }
}
