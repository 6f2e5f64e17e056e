using System.Globalization;
using System.Security.Cryptography;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// DHT keys of NNRP shards (DESIGN.md "Shards"; NNRP.md §8): shard (b, i) is announced under
/// <code>
///   CIDv1 = 0x01 (version) ‖ 0x55 (raw) ‖ 0x12 0x20 (sha2-256, 32 bytes) ‖ SHA-256(UTF-8 "nnrp/shard/v1/{b}/{i}")
/// </code>
/// On the Kad wire a CID travels as its multihash (js-libp2p sends <c>cid.multihash.bytes</c>,
/// go-libp2p <c>cid.Hash()</c>), so <see cref="WireKey"/> is what Provide/FindProviders take.
/// Nnrp.Core.Keys.Shards computes the same CID for the node; the libp2p layer may not depend
/// on Core, hence this small twin.
/// </summary>
public static class ShardKeys
{
    /// <summary>Shards are counted up to 2^32 (b ≤ 32), as in Nnrp.Core.</summary>
    public const int MaxBits = 32;

    private const byte CidVersion1 = 0x01;
    private const byte RawCodec = 0x55;
    private const byte Sha2_256 = 0x12;
    private const byte Sha2_256Length = 32;

    /// <summary>The UTF-8 name hashed into the key: <c>nnrp/shard/v1/{b}/{i}</c>, decimal.</summary>
    public static string Name(int bits, uint index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, MaxBits);
        if (bits < MaxBits && index >= 1u << bits)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"shard index {index} does not fit in {bits} bits");
        }
        return string.Create(CultureInfo.InvariantCulture, $"nnrp/shard/v1/{bits}/{index}");
    }

    /// <summary>The 36-byte CIDv1 (raw, sha2-256) of shard (b, i).</summary>
    public static byte[] Cid(int bits, uint index)
    {
        var cid = new byte[4 + Sha2_256Length];
        cid[0] = CidVersion1;
        cid[1] = RawCodec;
        WriteMultihash(Name(bits, index), cid.AsSpan(2));
        return cid;
    }

    /// <summary>The CID as text: multibase 'b' + RFC 4648 base32 lower (<c>bafkrei…</c>).</summary>
    public static string CidString(int bits, uint index) => "b" + Base32.Encode(Cid(bits, index));

    /// <summary>The key sent in ADD_PROVIDER / GET_PROVIDERS: the CID's 34-byte multihash.</summary>
    public static byte[] WireKey(int bits, uint index)
    {
        var multihash = new byte[2 + Sha2_256Length];
        WriteMultihash(Name(bits, index), multihash);
        return multihash;
    }

    /// <summary>
    /// The wire key of any CID: CIDv0 is already a sha2-256 multihash; CIDv1 is
    /// <c>&lt;uvarint version&gt;&lt;uvarint codec&gt;&lt;multihash&gt;</c> (multiformats/cid).
    /// </summary>
    public static byte[] WireKeyOfCid(ReadOnlySpan<byte> cid)
    {
        if (cid.Length == 2 + Sha2_256Length && cid[0] == Sha2_256 && cid[1] == Sha2_256Length)
        {
            return cid.ToArray();
        }
        if (!Varint.TryRead(cid, out ulong version, out int n) || version != 1
            || !Varint.TryRead(cid[n..], out _, out int m) || cid.Length <= n + m)
        {
            throw new FormatException("not a CIDv0 or CIDv1");
        }
        return cid[(n + m)..].ToArray();
    }

    private static void WriteMultihash(string name, Span<byte> destination)
    {
        destination[0] = Sha2_256;
        destination[1] = Sha2_256Length;
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name), destination[2..]);
    }
}
