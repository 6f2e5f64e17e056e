using System.Globalization;
using System.Security.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Protocol.Shards;
using ProtoShard = Nnrp.Core.Protocol.Shard;

namespace Nnrp.Node.Shards;

/// <summary>
/// A shard (b, i) a node may hold (NNRP.md §8.1): the tags whose top <see cref="Bits"/> bits
/// are <see cref="Index"/>, b ≤ <see cref="MaxBits"/>. Written <c>b/i</c> in settings.
/// </summary>
public readonly record struct ShardId
{
    /// <summary>§8.1: the deepest shard a node holds, the depth of §14.2's provider records.</summary>
    public const int MaxBits = Providers.ShardProviderPolicy.MaxShardBits;

    /// <summary>(0, 0): every tag.</summary>
    public static readonly ShardId Full = new(0, 0);

    /// <exception cref="ArgumentOutOfRangeException">bits outside 0..16 or an index that does not fit.</exception>
    public ShardId(int bits, uint index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, MaxBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 1u << bits);
        Bits = bits;
        Index = index;
    }

    public int Bits { get; }

    public uint Index { get; }

    /// <summary>True when the tag's top <see cref="Bits"/> bits are <see cref="Index"/>.</summary>
    public bool Covers(RecipientTag tag) => tag.ShardIndex(Bits) == Index;

    /// <summary>The same test on a tag's first two bytes (b ≤ 16 needs no more), as index values carry them.</summary>
    public bool Covers(ushort top16) => Bits == 0 || (uint)(top16 >> (16 - Bits)) == Index;

    /// <summary>True when every tag of <paramref name="other"/> is in this shard (b ≤ b' and the prefixes agree).</summary>
    public bool Contains(ShardId other) => Bits <= other.Bits && other.Index >> (other.Bits - Bits) == Index;

    /// <summary>§8.1: two shards overlap iff one contains the other.</summary>
    public bool Overlaps(ShardId other) => Contains(other) || other.Contains(this);

    /// <summary>§8.1: the deeper of two overlapping shards, else null.</summary>
    public ShardId? Intersect(ShardId other) => Contains(other) ? other : other.Contains(this) ? this : null;

    /// <summary>The shard one bit shallower that contains this one (§8.5 going shallower).</summary>
    public ShardId Parent => Bits == 0 ? this : new ShardId(Bits - 1, Index >> 1);

    /// <summary>The other half of <see cref="Parent"/> (§8.5 deepening).</summary>
    public ShardId Sibling => Bits == 0 ? this : new ShardId(Bits, Index ^ 1);

    /// <summary>One half of this shard: <paramref name="bit"/> 0 or 1 appended.</summary>
    public ShardId Child(uint bit) => new(Bits + 1, (Index << 1) | (bit & 1));

    /// <summary>§8.1 home placement: the top <paramref name="bits"/> bits of SHA-256(peer id bytes).</summary>
    public static ShardId Home(ReadOnlySpan<byte> peerId, int bits)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(peerId, digest);
        uint top = (uint)((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]);
        return new ShardId(bits, bits == 0 ? 0 : top >> (32 - bits));
    }

    /// <summary>The key this shard is provided under in the Kad-DHT (§8, §14.2).</summary>
    public byte[] WireKey() => ShardKeys.WireKey(Bits, Index);

    public ProtoShard ToProto() => new() { Bits = (uint)Bits, Index = Index };

    /// <summary>A shard from the wire (§11.7, §11.8.8); null when it is not one a node may hold.</summary>
    public static ShardId? FromProto(ProtoShard? shard) =>
        shard is null ? Full
        : shard.Bits <= MaxBits && shard.Index < 1u << (int)shard.Bits ? new ShardId((int)shard.Bits, shard.Index)
        : null;

    /// <summary><c>b/i</c>, decimal.</summary>
    /// <exception cref="FormatException">not <c>b/i</c> with b ≤ 16 and i &lt; 2^b.</exception>
    public static ShardId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int bits)
            || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint index))
        {
            throw new FormatException($"'{text}' is not a shard <bits>/<index>");
        }
        if (bits > MaxBits || index >= 1u << bits)
        {
            throw new FormatException($"shard '{text}': bits is 0..{MaxBits} and index below 2^bits");
        }
        return new ShardId(bits, index);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Bits}/{Index}");
}
