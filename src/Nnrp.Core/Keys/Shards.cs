using System.Security.Cryptography;
using System.Text;

namespace Nnrp.Core.Keys;

/// <summary>
/// Tag-space shards (NNRP.md §8). The shard of a tag at <c>b</c> bits is its top <c>b</c>
/// bits; a node storing shard (b, i) announces the DHT key
/// <code>
///   CIDv1 = 0x01 (version) ‖ 0x55 (raw codec) ‖ 0x12 0x20 (sha2-256, 32 bytes) ‖ SHA-256(UTF-8 "nnrp/shard/v1/{b}/{i}")
/// </code>
/// (36 bytes; <c>b</c> and <c>i</c> in decimal), so js-libp2p's <c>findProviders(cid)</c>
/// works. A node that stores everything provides (0, 0).
/// </summary>
public static class Shards
{
    /// <summary>Shards are counted up to 2^32 (b ≤ 32).</summary>
    public const int MaxBits = 32;

    /// <summary>Bytes of a shard CID: 4 header + 32 digest.</summary>
    public const int CidLength = 36;

    /// <summary>Multibase prefix of base32 lower, no padding (RFC 4648 alphabet).</summary>
    public const char MultibaseBase32 = 'b';

    /// <summary>The shard index of <paramref name="tag"/> at <paramref name="bits"/> bits.</summary>
    public static uint IndexOf(RecipientTag tag, int bits) => tag.ShardIndex(bits);

    internal static uint IndexOf(ulong firstWord, int bits)
    {
        CheckBits(bits);
        return bits == 0 ? 0u : (uint)(firstWord >> (64 - bits));
    }

    /// <summary>The UTF-8 name hashed into the shard's DHT key.</summary>
    public static string Name(int bits, uint index)
    {
        CheckShard(bits, index);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"nnrp/shard/v1/{bits}/{index}");
    }

    /// <summary>The shard's DHT key: CIDv1 raw of sha2-256 of <see cref="Name"/> (36 bytes).</summary>
    public static byte[] DhtKey(int bits, uint index) => RawSha256Cid(Encoding.UTF8.GetBytes(Name(bits, index)));

    /// <summary>The shard's DHT key as a multibase string ('b' + RFC 4648 base32 lower, no padding).</summary>
    public static string DhtKeyString(int bits, uint index) => MultibaseBase32 + Base32Lower(DhtKey(bits, index));

    /// <summary>CIDv1 with the raw codec and a sha2-256 multihash of <paramref name="data"/>.</summary>
    public static byte[] RawSha256Cid(ReadOnlySpan<byte> data)
    {
        var cid = new byte[CidLength];
        cid[0] = 0x01; // CID version 1 (varint)
        cid[1] = 0x55; // multicodec "raw" (varint)
        cid[2] = 0x12; // multihash sha2-256
        cid[3] = 0x20; // digest length 32
        SHA256.HashData(data, cid.AsSpan(4));
        return cid;
    }

    /// <summary>The multibase base32 string of a raw sha2-256 CID of <paramref name="data"/>.</summary>
    public static string RawSha256CidString(ReadOnlySpan<byte> data) => MultibaseBase32 + Base32Lower(RawSha256Cid(data));

    internal static bool PrefixMatches(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix, int bits)
    {
        if (bits < 0 || bits > value.Length * 8 || prefix.Length * 8 < bits)
        {
            return false;
        }
        int whole = bits / 8;
        if (!value[..whole].SequenceEqual(prefix[..whole]))
        {
            return false;
        }
        int rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (value[whole] & mask) == (prefix[whole] & mask);
    }

    private static void CheckBits(int bits)
    {
        if (bits is < 0 or > MaxBits)
        {
            throw new NnrpFormatException($"shard bits must be 0..{MaxBits}, not {bits}");
        }
    }

    private static void CheckShard(int bits, uint index)
    {
        CheckBits(bits);
        if (bits < MaxBits && index >= 1u << bits)
        {
            throw new NnrpFormatException($"shard index {index} does not fit in {bits} bits");
        }
    }

    // RFC 4648 §6 alphabet, lowercase, no padding: the multibase 'b' encoding of CIDs. Only
    // the encoder is needed here (Core has no dependency on the libp2p codecs).
    private static string Base32Lower(ReadOnlySpan<byte> data)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var text = new StringBuilder(((data.Length * 8) + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (byte b in data)
        {
            buffer = ((buffer << 8) | b) & 0xFFFF;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }
        return text.ToString();
    }
}
