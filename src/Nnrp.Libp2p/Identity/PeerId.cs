using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// A peer id (peer-ids/peer-ids.md "Peer Ids"): the multihash of the peer's public key
/// protobuf — identity multihash when that is at most 42 bytes (Ed25519: <c>12D3KooW…</c>),
/// sha2-256 otherwise (<c>Qm…</c>). Text is base58btc by default ("SHOULD display … raw
/// base58btc"); the CIDv1 form (<c>bafz…</c>, codec libp2p-key) is parsed and can be written.
/// </summary>
public sealed class PeerId : IEquatable<PeerId>
{
    /// <summary>multicodec <c>libp2p-key</c>: the codec a peer-id CID must carry.</summary>
    public const ulong Libp2pKeyCodec = 0x72;

    private const ulong CidVersion1 = 1;

    private readonly byte[] _bytes;
    private string? _text;

    private PeerId(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The multihash bytes (what goes into <c>/p2p/</c> multiaddrs and protobufs).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    public byte[] ToBytes() => (byte[])_bytes.Clone();

    public static PeerId FromPublicKey(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] encoded = key.ToProtobuf();
        if (encoded.Length <= Multihash.MaxInlineKeyLength)
        {
            return new PeerId([(byte)Multihash.Identity, (byte)encoded.Length, .. encoded]);
        }
        var bytes = new byte[2 + Multihash.Sha2_256Length];
        bytes[0] = (byte)Multihash.Sha2_256;
        bytes[1] = Multihash.Sha2_256Length;
        SHA256.HashData(encoded, bytes.AsSpan(2));
        return new PeerId(bytes);
    }

    /// <summary>Parses multihash bytes; <see cref="FormatException"/> when they are not a peer id.</summary>
    public static PeerId FromBytes(ReadOnlySpan<byte> bytes) =>
        TryFromBytes(bytes, out PeerId? id) ? id : throw new FormatException("not a peer id multihash (identity ≤ 42 bytes or sha2-256)");

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out PeerId? peerId)
    {
        peerId = Multihash.TryParse(bytes, out _, out _) ? new PeerId(bytes.ToArray()) : null;
        return peerId is not null;
    }

    /// <summary>
    /// Accepts both text forms (peer-ids.md "Decoding"): a bare base58btc multihash starting
    /// with <c>1</c> or <c>Qm</c>, or a multibase CIDv1 with codec libp2p-key (base32 <c>b</c>/<c>B</c>
    /// or base58btc <c>z</c>).
    /// </summary>
    public static PeerId Parse(string text) =>
        TryParse(text, out PeerId? id) ? id : throw new FormatException($"'{Printable(text)}' is not a peer id");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PeerId? peerId)
    {
        peerId = null;
        if (string.IsNullOrEmpty(text) || text.Length > Base58.MaxEncodedLength)
        {
            return false;
        }
        if (text[0] == '1' || text.StartsWith("Qm", StringComparison.Ordinal))
        {
            return Base58.TryDecode(text, out byte[] multihash) && TryFromBytes(multihash, out peerId);
        }
        byte[] cid;
        bool decoded = text[0] switch
        {
            'b' => Base32.TryDecode(text.AsSpan(1), out cid) && !text.AsSpan(1).ContainsAnyInRange('A', 'Z'),
            'B' => Base32.TryDecode(text.AsSpan(1), out cid) && !text.AsSpan(1).ContainsAnyInRange('a', 'z'),
            'z' => Base58.TryDecode(text.AsSpan(1), out cid),
            _ => Fail(out cid),
        };
        return decoded && TryFromCid(cid, out peerId);
    }

    private static bool Fail(out byte[] cid)
    {
        cid = [];
        return false;
    }

    /// <summary>CIDv1 layout: <c>&lt;version=1&gt;&lt;codec=0x72&gt;&lt;multihash&gt;</c>, both varints.</summary>
    private static bool TryFromCid(ReadOnlySpan<byte> cid, out PeerId? peerId)
    {
        peerId = null;
        try
        {
            if (!Varint.TryRead(cid, out ulong version, out int n) || version != CidVersion1
                || !Varint.TryRead(cid[n..], out ulong codec, out int m) || codec != Libp2pKeyCodec)
            {
                return false;
            }
            return TryFromBytes(cid[(n + m)..], out peerId);
        }
        catch (VarintFormatException)
        {
            return false;
        }
    }

    /// <summary>base58btc of the multihash, the display form the spec recommends.</summary>
    public override string ToString() => _text ??= Base58.Encode(_bytes);

    /// <summary>CIDv1, codec libp2p-key, multibase base32 (<c>bafz…</c>).</summary>
    public string ToCidString()
    {
        Span<byte> cid = stackalloc byte[2 + _bytes.Length];
        cid[0] = (byte)CidVersion1;
        cid[1] = (byte)Libp2pKeyCodec;
        _bytes.CopyTo(cid[2..]);
        return "b" + Base32.Encode(cid);
    }

    /// <summary>The public key inlined in an identity-multihash peer id; null for sha2-256 ids or unsupported key types.</summary>
    public PublicKey? TryGetPublicKey()
    {
        if (!Multihash.TryParse(_bytes, out ulong code, out ReadOnlySpan<byte> digest) || code != Multihash.Identity)
        {
            return null;
        }
        try
        {
            return PublicKey.FromProtobuf(digest);
        }
        catch (ProtocolViolationException)
        {
            return null;
        }
    }

    /// <summary>True when this id is the id of <paramref name="key"/>.</summary>
    public bool Matches(PublicKey key) => Equals(FromPublicKey(key));

    public bool Equals(PeerId? other) => other is not null && other._bytes.AsSpan().SequenceEqual(_bytes);

    public override bool Equals(object? obj) => Equals(obj as PeerId);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(PeerId? left, PeerId? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PeerId? left, PeerId? right) => !(left == right);

    private static string Printable(string? text) =>
        text is null ? "null" : text.Length <= 80 && !text.Any(char.IsControl) ? text : "<unprintable or long text>";
}
