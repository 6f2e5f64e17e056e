using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;

namespace Nnrp.Node.Decisions;

/// <summary>
/// What the node decided about one request, one per refusal kind (NNRP.md §11.4). Every door
/// maps these onto its wire through one table: /nnrp/1.0 status codes
/// (<c>NnrpService.Answer</c>), HTTP status and problem reason (<c>Problems</c>), GossipSub
/// verdicts (<c>NotificationGossip.Verdict</c>), the sync puller's count.
/// </summary>
public enum DecisionStatus
{
    /// <summary>Stored durably now.</summary>
    Accepted,

    /// <summary>Already stored; the answer still carries a receipt.</summary>
    Duplicate,

    /// <summary>Does not decode, or breaks a §3.1 limit (version, tag length, ttl range, payload size), or a query limit (§11.5).</summary>
    BadForm,

    /// <summary>Work value below <see cref="Decision.RequiredThreshold"/>.</summary>
    InsufficientWork,

    /// <summary>timestamp + ttl ≤ now (§5).</summary>
    Expired,

    /// <summary>timestamp > now + 600 (§5).</summary>
    Future,

    /// <summary>Shed under load, the store or the tag's cap holds only better-paid notifications, a fetch budget is spent, or a prefix too wide is asked.</summary>
    OverCapacity,

    /// <summary>The origin is over its rate rule (§11.4, §12); <see cref="Decision.RetryAfterSeconds"/> says when to come back.</summary>
    RateLimited,

    /// <summary>The store failed (disk full, I/O error); nothing was acknowledged.</summary>
    Internal,

    /// <summary>§8.3: the tag is outside the shards this node holds (WRONG_SHARD; gossip Ignore).</summary>
    WrongShard,
}

/// <summary>
/// The node's decision on one request from one <see cref="Origin"/>: the one result type of the
/// ingress gate and of the node's façade (<see cref="NnrpNode.PublishAsync(Notification, Origin, CancellationToken)"/>).
/// </summary>
public sealed record Decision(DecisionStatus Status, string Message)
{
    /// <summary>Admitted by the origin's rate rule: the request goes on.</summary>
    public static readonly Decision Admitted = new(DecisionStatus.Accepted, "admitted");

    /// <summary>The content hash, once computed (every status after the clock check).</summary>
    public NotificationHash? Hash { get; init; }

    /// <summary>timestamp + ttl, for receipts.</summary>
    public ulong ExpiresAt { get; init; }

    /// <summary>With <see cref="DecisionStatus.InsufficientWork"/> and <see cref="DecisionStatus.OverCapacity"/>: the threshold that would pass now (0: more work would not help).</summary>
    public ulong RequiredThreshold { get; init; }

    /// <summary>
    /// With <see cref="DecisionStatus.InsufficientWork"/>: the notification's work value (§6.1), so
    /// a door can tell "below the base threshold" (invalid on every node) from "below this
    /// node's escalated threshold" (priced by local state) without hashing again (§14.3).
    /// Null when the gate did not compute it.
    /// </summary>
    public ulong? WorkValue { get; init; }

    /// <summary>The NNRP.md rule broken, for form, clock and work refusals.</summary>
    public NotificationRule Rule { get; init; }

    /// <summary>With <see cref="DecisionStatus.RateLimited"/> and <see cref="DecisionStatus.OverCapacity"/>: a hint in seconds, 0 = none.</summary>
    public uint RetryAfterSeconds { get; init; }

    /// <summary>With <see cref="DecisionStatus.OverCapacity"/> on a fetch whose prefix is too wide: the narrowest prefix served (§11.5).</summary>
    public int? MinPrefixBits { get; init; }

    /// <summary>With a stored publish through the façade: the node's signed store receipt (§11.6).</summary>
    public StoreReceipt? Receipt { get; init; }

    /// <summary>True when the node holds the notification (a receipt may be signed).</summary>
    public bool IsStored => Status is DecisionStatus.Accepted or DecisionStatus.Duplicate;

    /// <summary>The decision of the gate for a broken rule of NNRP.md §3 / §5 / §6.</summary>
    public static DecisionStatus FromRule(NotificationRule rule) => rule switch
    {
        NotificationRule.Expired => DecisionStatus.Expired,
        NotificationRule.TimestampInFuture => DecisionStatus.Future,
        NotificationRule.InsufficientWork => DecisionStatus.InsufficientWork,
        _ => DecisionStatus.BadForm,
    };

    /// <summary>A refusal for a request that does not decode or breaks a limit.</summary>
    public static Decision BadForm(string message, NotificationRule rule = NotificationRule.Encoding) =>
        new(DecisionStatus.BadForm, message) { Rule = rule };

    /// <summary>The store failed; <paramref name="message"/> names the failure for the log, never for the wire (§12).</summary>
    public static Decision Internal(string message) => new(DecisionStatus.Internal, message);
}
