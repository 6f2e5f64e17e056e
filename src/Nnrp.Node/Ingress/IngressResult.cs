using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;

namespace Nnrp.Node.Ingress;

/// <summary>The reason codes of the ingress gate (issue 6 item 2), one per refusal kind.</summary>
public enum IngressStatus
{
    /// <summary>Stored durably now.</summary>
    Accepted,

    /// <summary>Already stored; the caller may still hand out a receipt.</summary>
    Duplicate,

    /// <summary>Does not decode, or breaks a §3.1 limit (version, tag length, ttl range, payload size).</summary>
    BadForm,

    /// <summary>Work value below <see cref="IngressResult.RequiredThreshold"/>.</summary>
    InsufficientWork,

    /// <summary>timestamp + ttl ≤ now (§5).</summary>
    Expired,

    /// <summary>timestamp > now + 600 (§5).</summary>
    Future,

    /// <summary>Shed under load, or the tag's store cap holds only better-paid notifications.</summary>
    OverCapacity,

    /// <summary>The store failed (disk full, I/O error); nothing was acknowledged.</summary>
    Internal,
}

/// <summary>What the gate decided for one notification.</summary>
public sealed record IngressResult(IngressStatus Status, string Message)
{
    /// <summary>The content hash, once computed (every status after the clock check).</summary>
    public NotificationHash? Hash { get; init; }

    /// <summary>timestamp + ttl, for receipts.</summary>
    public ulong ExpiresAt { get; init; }

    /// <summary>With <see cref="IngressStatus.InsufficientWork"/> and <see cref="IngressStatus.OverCapacity"/>: the threshold that would pass now.</summary>
    public ulong RequiredThreshold { get; init; }

    /// <summary>
    /// With <see cref="IngressStatus.InsufficientWork"/>: the notification's work value (§6.1), so
    /// a caller can tell "below the base threshold" (invalid on every node) from "below this
    /// node's escalated threshold" (priced by local state) without hashing again (§14.3).
    /// Null when the gate did not compute it.
    /// </summary>
    public ulong? WorkValue { get; init; }

    /// <summary>The NNRP.md rule broken, for form, clock and work refusals.</summary>
    public NotificationRule Rule { get; init; }

    /// <summary>True when the node holds the notification (a receipt may be signed).</summary>
    public bool IsStored => Status is IngressStatus.Accepted or IngressStatus.Duplicate;

    /// <summary>The /nnrp/1.0 status code (NNRP.md §11.4).</summary>
    public StatusCode ToStatusCode() => Status switch
    {
        IngressStatus.Accepted => StatusCode.Ok,
        IngressStatus.Duplicate => StatusCode.Duplicate,
        IngressStatus.BadForm => StatusCode.BadForm,
        IngressStatus.InsufficientWork => StatusCode.InsufficientWork,
        IngressStatus.Expired => StatusCode.Expired,
        IngressStatus.Future => StatusCode.Future,
        IngressStatus.OverCapacity => StatusCode.OverCapacity,
        _ => StatusCode.Internal,
    };

    internal static IngressStatus FromRule(NotificationRule rule) => rule switch
    {
        NotificationRule.Expired => IngressStatus.Expired,
        NotificationRule.TimestampInFuture => IngressStatus.Future,
        NotificationRule.InsufficientWork => IngressStatus.InsufficientWork,
        _ => IngressStatus.BadForm,
    };
}
