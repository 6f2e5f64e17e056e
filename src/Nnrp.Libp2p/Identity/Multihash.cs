using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// The two multihash forms a peer id takes (multiformats/multihash; peer-ids/peer-ids.md
/// "Peer Ids"):
/// <code>
///   ┌───────────────┬──────────────────┬───────────────┐
///   │ uvarint code  │ uvarint length   │ digest        │
///   └───────────────┴──────────────────┴───────────────┘
///   identity (0x00): digest = the key protobuf itself, ≤ 42 bytes
///   sha2-256 (0x12): digest = SHA-256 of the key protobuf, 32 bytes
/// </code>
/// </summary>
internal static class Multihash
{
    public const ulong Identity = 0x00;

    public const ulong Sha2_256 = 0x12;

    public const int Sha2_256Length = 32;

    /// <summary>peer-ids.md: keys that serialise to at most 42 bytes use the identity multihash.</summary>
    public const int MaxInlineKeyLength = 42;

    /// <summary>Parses a whole multihash; false for any other shape or an unknown hash code.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out ulong code, out ReadOnlySpan<byte> digest)
    {
        digest = default;
        code = 0;
        try
        {
            if (!Varint.TryRead(bytes, out code, out int n) || !Varint.TryRead(bytes[n..], out ulong length, out int m))
            {
                return false;
            }
            ReadOnlySpan<byte> rest = bytes[(n + m)..];
            if ((ulong)rest.Length != length)
            {
                return false;
            }
            digest = rest;
        }
        catch (VarintFormatException)
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
}
