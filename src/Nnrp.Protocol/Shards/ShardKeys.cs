using CoreShards = Nnrp.Core.Keys.Shards;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Protocol.Shards;

/// <summary>
/// DHT keys of NNRP shards (DESIGN.md "Shards"; NNRP.md §8). The name and CID of shard (b, i)
/// are <see cref="CoreShards"/>' (one definition for wallets and nodes); on the Kad wire a CID
/// travels as its multihash (js-libp2p sends <c>cid.multihash.bytes</c>, go-libp2p
/// <c>cid.Hash()</c>), so <see cref="WireKey"/> is what Provide/FindProviders take.
/// </summary>
public static class ShardKeys
{
    /// <summary>CIDv1 prefix before the multihash: version 0x01, codec raw 0x55.</summary>
    private const int CidPrefixLength = 2;

    private const byte Sha2_256 = 0x12;
    private const byte Sha2_256Length = 32;

    /// <summary>The UTF-8 name hashed into the key: <c>nnrp/shard/v1/{b}/{i}</c>, decimal.</summary>
    /// <exception cref="Nnrp.Core.NnrpFormatException">bits outside 0..32 or an index that does not fit.</exception>
    public static string Name(int bits, uint index) => CoreShards.Name(bits, index);

    /// <summary>The 36-byte CIDv1 (raw, sha2-256) of shard (b, i).</summary>
    public static byte[] Cid(int bits, uint index) => CoreShards.DhtKey(bits, index);

    /// <summary>The CID as text: multibase 'b' + RFC 4648 base32 lower (<c>bafkrei…</c>).</summary>
    public static string CidString(int bits, uint index) => CoreShards.DhtKeyString(bits, index);

    /// <summary>The key sent in ADD_PROVIDER / GET_PROVIDERS: the CID's 34-byte multihash.</summary>
    public static byte[] WireKey(int bits, uint index) => Cid(bits, index)[CidPrefixLength..];

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
}
