using Nnrp.Client.Network;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Protocol.Receipts;

namespace Nnrp.Client.Sending;

/// <summary>How a notification is published.</summary>
public sealed record SendOptions
{
    /// <summary>
    /// Distinct nodes that must store it, each proven by a receipt: NNRP.md §8.4's
    /// MinPublishHolders (default <see cref="HolderSearch.MinPublishHolders"/>, 3).
    /// </summary>
    public int Replicas { get; init; } = HolderSearch.MinPublishHolders;

    /// <summary>Lifetime in seconds (NNRP.md §3.1; default 90 days).</summary>
    public uint Ttl { get; init; } = NotificationLimits.DefaultTtl;

    /// <summary>Threshold of the first work computed (default the base, §6.2).</summary>
    public ulong InitialThreshold { get; init; } = Thresholds.Base;

    /// <summary>
    /// The most a node may demand (as a multiple of the base) before the sender gives up on
    /// it rather than pay: a node asking 2^20× is under a flood or hostile (default 1024×).
    /// </summary>
    public double MaxMultiplier { get; init; } = 1024;

    /// <summary>Publish attempts per node (more work after INSUFFICIENT_WORK counts as one; default 3).</summary>
    public int MaxAttemptsPerNode { get; init; } = 3;
}

/// <summary>A node that did not store the notification, and why.</summary>
/// <param name="Node">The node.</param>
/// <param name="Reason">Unreachable, refused (with the status), or an invalid receipt.</param>
public sealed record NodeFailure(NodeAddress Node, string Reason);

/// <summary>The outcome of a send.</summary>
/// <param name="Notification">What was published (with its final work).</param>
/// <param name="Receipts">One verified receipt per node that stored it.</param>
/// <param name="Failures">Nodes tried that did not store it.</param>
/// <param name="Target">The number of nodes asked for (<see cref="SendOptions.Replicas"/>).</param>
public sealed record SendResult(Notification Notification, IReadOnlyList<VerifiedReceipt> Receipts, IReadOnlyList<NodeFailure> Failures, int Target)
{
    /// <summary>The notification's content hash.</summary>
    public NotificationHash Hash => Notification.Hash;

    /// <summary>True when at least <see cref="Target"/> distinct nodes stored it.</summary>
    public bool MetTarget => Receipts.Count >= Target;

    /// <summary>
    /// Candidate nodes discovery offered (§8.4: verified holders of the tag's shard first). Fewer
    /// than <see cref="Target"/> means the network had no more to give: the send went to all of them.
    /// </summary>
    public int HoldersFound { get; init; }
}
