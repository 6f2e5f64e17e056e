using Nnrp.Core.Keys;
using Nnrp.Core.Protocol;
using CoreShards = Nnrp.Core.Keys.Shards;

namespace Nnrp.Client.Network;

/// <summary>
/// What a node's status (NNRP.md §11.7 <c>shards</c>) says it holds (§8): shard (b, i) covers
/// a tag whose top b bits are i; (0, 0) covers every tag. Entries that are not a shard (b over
/// 32, an index that does not fit in b bits) cover nothing — a node's claim is read, never trusted
/// beyond its words.
/// </summary>
public static class ShardCoverage
{
    /// <summary>True when one of <paramref name="shards"/> covers <paramref name="tag"/>.</summary>
    public static bool Covers(IEnumerable<Shard> shards, RecipientTag tag)
    {
        ArgumentNullException.ThrowIfNull(shards);
        foreach (Shard shard in shards)
        {
            if (IsShard(shard) && tag.ShardIndex((int)shard.Bits) == shard.Index)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The deepest well-formed shard in <paramref name="shards"/> (its bits), or null when there is none.</summary>
    public static int? DeepestBits(IEnumerable<Shard> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        int? deepest = null;
        foreach (Shard shard in shards)
        {
            if (IsShard(shard) && (deepest is null || shard.Bits > deepest))
            {
                deepest = (int)shard.Bits;
            }
        }
        return deepest;
    }

    private static bool IsShard(Shard shard) =>
        shard.Bits <= CoreShards.MaxBits && (shard.Bits == CoreShards.MaxBits || shard.Index < 1u << (int)shard.Bits);
}
