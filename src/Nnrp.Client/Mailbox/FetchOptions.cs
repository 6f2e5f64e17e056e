using Nnrp.Client.Network;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Client.Mailbox;

/// <summary>How a mailbox is fetched.</summary>
public sealed record FetchOptions
{
    /// <summary>
    /// Privacy default: ask for every tag sharing our tag's top 8 bits, so a node learns only
    /// which 1/256 of the tag space we read, never the tag itself (NNRP.md §11.5). 256 asks
    /// for the exact tag. A node answering OVER_CAPACITY is asked again 8 bits narrower.
    /// </summary>
    public const int DefaultPrefixBits = 8;

    /// <summary>Prefix bits of the query (0–256).</summary>
    public int PrefixBits { get; init; } = DefaultPrefixBits;

    /// <summary>Oldest timestamp wanted; the checkpoint's is used when later.</summary>
    public ulong Since { get; init; }

    /// <summary>Distinct nodes read to the end and merged (default 3).</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>
    /// NNRP.md §8.4 MinFetchHolders: complete answers below this (or below <see cref="Nodes"/>
    /// when smaller) make <see cref="FetchResult.MetTarget"/> false (default
    /// <see cref="HolderSearch.MinFetchHolders"/>, 2).
    /// </summary>
    public int MinNodes { get; init; } = HolderSearch.MinFetchHolders;

    /// <summary>Page size asked for (1–500).</summary>
    public int PageSize { get; init; } = FetchQuery.MaxLimit;

    /// <summary>Pages read from one node at most, so a node cannot keep a wallet paging forever.</summary>
    public int MaxPagesPerNode { get; init; } = 1000;

    /// <summary>The work floor a fetched notification must meet (the base threshold).</summary>
    public ulong MinimumWork { get; init; } = Thresholds.Base;
}

/// <summary>What one node answered.</summary>
/// <param name="Node">The node.</param>
/// <param name="Notifications">Notifications it returned (all pages, all tags of the prefix).</param>
/// <param name="Pages">Pages read.</param>
/// <param name="PrefixBits">The prefix length it finally answered.</param>
/// <param name="Error">Why it failed, or null when every page was read.</param>
public sealed record NodeFetchReport(NodeAddress Node, int Notifications, int Pages, int PrefixBits, string? Error)
{
    /// <summary>True when the node answered every page.</summary>
    public bool Complete => Error is null;
}

/// <summary>The outcome of a fetch.</summary>
/// <param name="Contents">Opened and rejected notifications, merged over the nodes.</param>
/// <param name="Nodes">One report per node asked.</param>
/// <param name="Checkpoint">The checkpoint to save for the next fetch (unchanged when no node answered completely).</param>
public sealed record FetchResult(MailboxContents Contents, IReadOnlyList<NodeFetchReport> Nodes, FetchCheckpoint Checkpoint)
{
    /// <summary>Nodes that answered every page.</summary>
    public int CompleteNodes => Nodes.Count(n => n.Complete);

    /// <summary>Complete answers wanted: <see cref="FetchOptions.MinNodes"/>, at most <see cref="FetchOptions.Nodes"/>.</summary>
    public int Target { get; init; } = HolderSearch.MinFetchHolders;

    /// <summary>True when at least <see cref="Target"/> nodes answered every page; false is a partial result, not silence.</summary>
    public bool MetTarget => CompleteNodes >= Target;
}
