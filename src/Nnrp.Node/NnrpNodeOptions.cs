using Nnrp.Node.Ingress;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;

namespace Nnrp.Node;

/// <summary>Everything an NNRP node needs besides its libp2p host.</summary>
public sealed record NnrpNodeOptions
{
    /// <summary>The store lives in <c>&lt;DataDirectory&gt;/store</c>.</summary>
    public required string DataDirectory { get; init; }

    public StoreOptions Store { get; init; } = new();

    public IngressOptions Ingress { get; init; } = new();

    public NnrpServiceOptions Protocol { get; init; } = new();

    /// <summary>Bytes of fetch answers in flight, per client and in total, over both doors (NNRP.md §11.5).</summary>
    public FetchBudgetOptions FetchBudget { get; init; } = new();

    /// <summary>How often expired notifications are deleted.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);
}
