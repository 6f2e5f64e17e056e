using System.Buffers.Binary;
using System.Security.Cryptography;
using Nnrp.Core.Keys;
using CoreShards = Nnrp.Core.Keys.Shards;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Node.Providers;

/// <summary>
/// NNRP's provider-record policy for the Kad-DHT (NNRP.md §14.2 "Provider records"): only
/// the keys of shards (b, i) with b ≤ <see cref="MaxShardBits"/> (§8) are stored; a stored
/// record's provider is verified by <see cref="ProviderVerifier"/>, whose verdict orders
/// and protects records.
/// </summary>
public sealed class ShardProviderPolicy(ProviderVerifier verifier) : IProviderRecordPolicy
{
    /// <summary>
    /// §14.2: shard keys are accepted up to 16 bits (65 536 shards, far beyond what a
    /// 10 000-node network splits into); wider shards are not provided in the DHT.
    /// </summary>
    public const int MaxShardBits = 16;

    /// <summary>The wire key is the CID's multihash (§14.2 "Keys"): the CID without its two-byte prefix.</summary>
    private const int CidPrefixLength = 2;

    /// <summary>Every accepted key's first 8 digest bytes, sorted, with its shard beside it; an exact check follows a hit.</summary>
    private static readonly Lazy<(ulong[] Heads, (int Bits, uint Index)[] Shards)> Table = new(Build);

    public bool AcceptsKey(ReadOnlySpan<byte> key) => ShardOf(key) is not null;

    public bool IsVerified(ReadOnlySpan<byte> providerId) => verifier.IsVerified(providerId);

    public void Stored(KadPeer provider) => verifier.Schedule(provider);

    /// <summary>The shard whose DHT key is <paramref name="key"/>, or null if it is none (within <see cref="MaxShardBits"/>).</summary>
    public static (int Bits, uint Index)? ShardOf(ReadOnlySpan<byte> key)
    {
        if (key.Length != 34 || key[0] != 0x12 || key[1] != 0x20)
        {
            return null;
        }
        (ulong[] heads, (int Bits, uint Index)[] shards) = Table.Value;
        ulong head = BinaryPrimitives.ReadUInt64BigEndian(key[2..]);
        int at = Array.BinarySearch(heads, head);
        if (at < 0)
        {
            return null;
        }
        while (at > 0 && heads[at - 1] == head)
        {
            at--;
        }
        for (; at < heads.Length && heads[at] == head; at++)
        {
            (int bits, uint index) = shards[at];
            if (CoreShards.DhtKey(bits, index).AsSpan(CidPrefixLength).SequenceEqual(key))
            {
                return shards[at];
            }
        }
        return null;
    }

    private static (ulong[], (int, uint)[]) Build()
    {
        int count = (1 << (MaxShardBits + 1)) - 1;
        var heads = new ulong[count];
        var shards = new (int, uint)[count];
        int n = 0;
        // The digest inside Shards.DhtKey, without its per-key arrays: 131 071 keys are hashed once.
        Span<byte> name = stackalloc byte[64];
        Span<byte> digest = stackalloc byte[32];
        for (int bits = 0; bits <= MaxShardBits; bits++)
        {
            for (uint index = 0; index < 1u << bits; index++, n++)
            {
                int length = System.Text.Encoding.UTF8.GetBytes(CoreShards.Name(bits, index), name);
                SHA256.HashData(name[..length], digest);
                heads[n] = BinaryPrimitives.ReadUInt64BigEndian(digest);
                shards[n] = (bits, index);
            }
        }
        Array.Sort(heads, shards);
        return (heads, shards);
    }
}
