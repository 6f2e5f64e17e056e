namespace Nnrp.Node.Shards;

/// <summary>
/// NNRP.md §8.1 setting (<c>--shards</c>): <c>auto</c> (depth from budget and estimate, §8.2,
/// with repair, §8.6), <c>full</c> ((0, 0) fixed) or an explicit list (fixed).
/// </summary>
public sealed record ShardSetting
{
    public static readonly ShardSetting Auto = new() { Fixed = null };

    public static readonly ShardSetting FullNode = new() { Fixed = ShardSet.Full };

    /// <summary>The set held for good; null for <c>auto</c>.</summary>
    public ShardSet? Fixed { get; init; }

    public bool IsAuto => Fixed is null;

    /// <exception cref="FormatException">not <c>auto</c>, <c>full</c> or <c>b/i[,b/i…]</c>.</exception>
    public static ShardSetting Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => Auto,
            "full" => FullNode,
            "" => throw new FormatException("auto, full or a list of <bits>/<index> expected"),
            _ => new ShardSetting { Fixed = ShardSet.Parse(text) },
        };
    }

    public override string ToString() => Fixed?.ToString() ?? "auto";
}
