using Nnrp.Core.Keys;

namespace Nnrp.Node.Shards;

/// <summary>
/// The shards a node holds (NNRP.md §8.1), kept minimal (none contains another) and ordered
/// shallowest first, then by index. A node holds a tag iff some shard covers it.
/// </summary>
public sealed class ShardSet : IEquatable<ShardSet>
{
    /// <summary>{(0, 0)}: a full node.</summary>
    public static readonly ShardSet Full = new([ShardId.Full]);

    private readonly ShardId[] _shards;

    /// <summary>Takes <paramref name="shards"/>, dropping repeats and any shard another one contains.</summary>
    public ShardSet(IEnumerable<ShardId> shards)
        : this(shards, minimal: true)
    {
    }

    private ShardSet(IEnumerable<ShardId> shards, bool minimal)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ShardId[] all = shards.Distinct().OrderBy(s => s.Bits).ThenBy(s => s.Index).ToArray();
        _shards = minimal ? all.Where(s => !all.Any(o => o != s && o.Contains(s))).ToArray() : all;
        if (_shards.Length == 0)
        {
            throw new ArgumentException("a shard set holds at least one shard", nameof(shards));
        }
    }

    /// <summary>The shards as given, nested ones kept: what a deepening node provides (§8.5: the old shard and its new home).</summary>
    public static ShardSet Exactly(IEnumerable<ShardId> shards) => new(shards, minimal: false);

    public IReadOnlyList<ShardId> Shards => _shards;

    /// <summary>The depth of the shallowest shard: the b of a status report (§8.2).</summary>
    public int ShallowestBits => _shards[0].Bits;

    public bool IsFull => _shards[0].Bits == 0;

    /// <summary>§8.1: some shard covers the tag.</summary>
    public bool Holds(RecipientTag tag)
    {
        foreach (ShardId shard in _shards)
        {
            if (shard.Covers(tag))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Some shard covers a tag whose first two bytes are <paramref name="top16"/>.</summary>
    public bool Holds(ushort top16)
    {
        foreach (ShardId shard in _shards)
        {
            if (shard.Covers(top16))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>§11.8.8: the non-empty intersections of this set's shards with <paramref name="other"/>'s, each once.</summary>
    public IReadOnlyList<ShardId> Intersections(IEnumerable<ShardId> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new List<ShardId>();
        foreach (ShardId theirs in other)
        {
            foreach (ShardId mine in _shards)
            {
                if (mine.Intersect(theirs) is { } common && !result.Contains(common))
                {
                    result.Add(common);
                }
            }
        }
        return result;
    }

    /// <summary>Parses <c>b/i[,b/i…]</c> (§8.1 setting); a repeat or a nested pair is an error.</summary>
    /// <exception cref="FormatException">one line saying what is wrong.</exception>
    public static ShardSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ShardId[] shards = text.Split(',', StringSplitOptions.TrimEntries).Select(ShardId.Parse).ToArray();
        for (int a = 0; a < shards.Length; a++)
        {
            for (int b = a + 1; b < shards.Length; b++)
            {
                if (shards[a].Overlaps(shards[b]))
                {
                    throw new FormatException($"shards {shards[a]} and {shards[b]} overlap; list each tag's shard once");
                }
            }
        }
        return new ShardSet(shards);
    }

    public bool Equals(ShardSet? other) => other is not null && _shards.AsSpan().SequenceEqual(other._shards);

    public override bool Equals(object? obj) => Equals(obj as ShardSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ShardId shard in _shards)
        {
            hash.Add(shard);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(",", _shards);
}
