namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// Well-formedness of a multihash (multiformats/multihash):
/// <code>
///   ┌──────────────────┬────────────────────┬────────────────────────┐
///   │ uvarint hash code│ uvarint digest len │ digest (len bytes)     │
///   └──────────────────┴────────────────────┴────────────────────────┘
/// </code>
/// Only the framing is checked, plus that a known hash function's digest is not longer than
/// the function produces (go-multiaddr refuses a 33-byte "sha2-256" peer id the same way).
/// </summary>
internal static class Multihash
{
    public const ulong Identity = 0x00;
    public const ulong Sha2_256 = 0x12;
    public const ulong Sha2_512 = 0x13;

    /// <summary>Returns null when <paramref name="multihash"/> is well formed, else the reason.</summary>
    public static string? Validate(ReadOnlySpan<byte> multihash)
    {
        if (multihash.IsEmpty)
        {
            return "empty multihash";
        }
        string? error = SpanVarint.TryRead(multihash, "multihash code", out ulong code, out int n);
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
        return null;
    }
}
