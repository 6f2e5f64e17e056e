namespace Nnrp.Libp2p.GossipSub;

/// <summary>Counters since start (issue 4 "metrics"); a snapshot, safe to keep.</summary>
public sealed record GossipSubMetrics
{
    /// <summary>Messages accepted by validation (ours excluded).</summary>
    public long Delivered { get; init; }

    /// <summary>Copies of messages already seen (suppressed, never delivered twice).</summary>
    public long Duplicates { get; init; }

    /// <summary>Rejected by a validator or by the signature policy.</summary>
    public long Rejected { get; init; }

    public long Ignored { get; init; }

    /// <summary>Dropped because the validation pipeline was full.</summary>
    public long ValidationDropped { get; init; }

    public long Published { get; init; }

    /// <summary>RPCs dropped because the sender was graylisted.</summary>
    public long GraylistedRpcs { get; init; }

    /// <summary>Outbound RPCs dropped because a peer's queue was full.</summary>
    public long SendQueueDropped { get; init; }

    public IReadOnlyDictionary<string, int> MeshSizes { get; init; } = new Dictionary<string, int>();

    public int Peers { get; init; }
}
