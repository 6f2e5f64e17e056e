using Nnrp.Core.Protocol;

namespace Nnrp.Protocol.Reasons;

/// <summary>
/// The machine-readable reason words of the HTTP API's problem documents (NNRP.md §12): the
/// /nnrp/1.0 status codes (§11.4) in snake case, plus <see cref="NotFound"/>. One list, read by
/// the node's HTTP door when it answers and by a wallet's HTTP transport when it reads.
/// </summary>
public static class ReasonWords
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string BadForm = "bad_form";
    public const string InsufficientWork = "insufficient_work";
    public const string Expired = "expired";
    public const string Future = "future";
    public const string OverCapacity = "over_capacity";
    public const string RateLimited = "rate_limited";
    public const string Internal = "internal";

    /// <summary>NNRP.md §8.3: the tag is outside the node's shards.</summary>
    public const string WrongShard = "wrong_shard";

    /// <summary>HTTP only: no such route, or the notification asked for is not stored.</summary>
    public const string NotFound = "not_found";

    /// <summary>The status code a reason word stands for; <see cref="StatusCode.Internal"/> for a word not in the list.</summary>
    public static StatusCode ToStatusCode(string? word) => word switch
    {
        Accepted => StatusCode.Ok,
        Duplicate => StatusCode.Duplicate,
        BadForm => StatusCode.BadForm,
        InsufficientWork => StatusCode.InsufficientWork,
        Expired => StatusCode.Expired,
        Future => StatusCode.Future,
        OverCapacity => StatusCode.OverCapacity,
        RateLimited => StatusCode.RateLimited,
        WrongShard => StatusCode.WrongShard,
        _ => StatusCode.Internal,
    };
}
