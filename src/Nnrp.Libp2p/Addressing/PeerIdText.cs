using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// Text forms of a peer id inside <c>/p2p/…</c> (libp2p/specs peer-ids/peer-ids.md, "String
/// representation"): a legacy base58btc multihash, recognised by its first characters
/// <c>1</c> or <c>Qm</c>, or otherwise a multibase CIDv1 whose codec is libp2p-key (0x72).
/// Both normalise to the multihash; printing always uses base58btc, as go- and js-libp2p do.
/// </summary>
internal static class PeerIdText
{
    /// <summary>multicodec table: "libp2p-key, ipld, 0x72".</summary>
    public const ulong LibP2pKeyCodec = 0x72;

    public const ulong CidVersion1 = 1;

    /// <summary>Returns null and the multihash on success, else the reason.</summary>
    public static string? TryDecode(ReadOnlySpan<char> text, out byte[] multihash)
    {
        multihash = [];
        if (text.IsEmpty)
        {
            return "empty peer id";
        }
        if (text[0] == '1' || text.StartsWith("Qm", StringComparison.Ordinal))
        {
            if (!Base58.TryDecode(text, out multihash))
            {
                return $"peer id '{text}' is not valid base58btc";
            }
            return Validate(multihash) is { } bad ? $"peer id '{text}': {bad}" : null;
        }
        byte[] cid;
        switch (text[0])
        {
            case 'b':
                if (!Base32.TryDecode(text[1..], out cid))
                {
                    return $"peer id '{text}' is not valid base32 multibase";
                }
                break;
            case 'z':
                if (!Base58.TryDecode(text[1..], out cid))
                {
                    return $"peer id '{text}' is not valid base58btc multibase";
                }
                break;
            default:
                return $"peer id '{text}' uses multibase prefix '{text[0]}', only base58btc multihashes and base32/base58btc CIDs are read";
        }
        return TryReadCid(cid, text, out multihash);
    }

    // CIDv1 (multiformats/cid): <uvarint version=1><uvarint codec=0x72><multihash>.
    private static string? TryReadCid(ReadOnlySpan<byte> cid, ReadOnlySpan<char> text, out byte[] multihash)
    {
        multihash = [];
        string? error = SpanVarint.TryRead(cid, "CID version", out ulong version, out int n);
        if (error is not null)
        {
            return $"peer id '{text}': {error}";
        }
        if (version != CidVersion1)
        {
            return $"peer id '{text}' is a CID of version {version}, only CIDv1 is a peer id";
        }
        cid = cid[n..];
        error = SpanVarint.TryRead(cid, "CID codec", out ulong codec, out n);
        if (error is not null)
        {
            return $"peer id '{text}': {error}";
        }
        if (codec != LibP2pKeyCodec)
        {
            return $"peer id '{text}' is a CID with codec 0x{codec:x}, a peer id needs libp2p-key (0x72)";
        }
        cid = cid[n..];
        if (Validate(cid) is { } bad)
        {
            return $"peer id '{text}': {bad}";
        }
        multihash = cid.ToArray();
        return null;
    }

    /// <summary>
    /// peer-ids.md "Peer Ids": the multihash is the identity hash of a short key or the
    /// sha2-256 of a long one — exactly the two whose base58 text starts with '1' or "Qm",
    /// so every id we accept prints as text we read back.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> multihash)
    {
        if (Multihash.Validate(multihash) is { } bad)
        {
            return bad;
        }
        bool identity = multihash[0] == (byte)Multihash.Identity;
        bool sha256 = multihash.Length == 34 && multihash[0] == (byte)Multihash.Sha2_256;
        return identity || sha256
            ? null
            : "a peer id multihash must be identity or a 32-byte sha2-256";
    }

    public static string Format(ReadOnlySpan<byte> multihash) => Base58.Encode(multihash);
}
