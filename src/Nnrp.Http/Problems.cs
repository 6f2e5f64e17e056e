using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nnrp.Node.Decisions;
using Nnrp.Http.OpenApi;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Reasons;

namespace Nnrp.Http;

/// <summary>
/// Errors as RFC 9457 problem details (<c>application/problem+json</c>) with a machine-readable
/// <c>reason</c> a wallet can switch on: the shared <see cref="ReasonWords"/>, one word per
/// decision status, the /nnrp/1.0 codes in snake case.
/// NNRP.md §12: a problem never carries exception text (store messages, paths); a failure is
/// logged with a correlation id, and the answer carries only that id.
/// </summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>NNRP.md §12: a problem's <c>type</c> is this prefix + its reason word (a name, not a page to fetch).</summary>
    public const string TypePrefix = "urn:nnrp:problem:";

    /// <summary>Retry-After of a 429 or 503 whose cause names no time (load shedding, a failing store).</summary>
    public const uint DefaultRetryAfterSeconds = 5;

    /// <summary>
    /// The HTTP table (NNRP.md §12): a decision's status code and problem reason. 202 for a
    /// newly stored notification, 200 for one already held; 400 for what the client must fix in
    /// the document (and for a prefix wider than the node serves, so a wallet narrows it), 422
    /// for a well-formed notification the rules refuse (short work, outside the clock window),
    /// 429 over the address's rate, 503 with Retry-After when the node sheds load, 500 when the
    /// node itself failed.
    /// </summary>
    public static (int HttpStatus, string Reason) Of(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Status switch
        {
            DecisionStatus.Accepted => (StatusCodes.Status202Accepted, ReasonWords.Accepted),
            DecisionStatus.Duplicate => (StatusCodes.Status200OK, ReasonWords.Duplicate),
            DecisionStatus.BadForm => (StatusCodes.Status400BadRequest, ReasonWords.BadForm),
            DecisionStatus.InsufficientWork => (StatusCodes.Status422UnprocessableEntity, ReasonWords.InsufficientWork),
            DecisionStatus.Expired => (StatusCodes.Status422UnprocessableEntity, ReasonWords.Expired),
            DecisionStatus.Future => (StatusCodes.Status422UnprocessableEntity, ReasonWords.Future),
            DecisionStatus.OverCapacity when decision.MinPrefixBits is not null => (StatusCodes.Status400BadRequest, ReasonWords.OverCapacity),
            DecisionStatus.OverCapacity => (StatusCodes.Status503ServiceUnavailable, ReasonWords.OverCapacity),
            DecisionStatus.RateLimited => (StatusCodes.Status429TooManyRequests, ReasonWords.RateLimited),
            // §8.3: RFC 9110 §15.5.20, the request went to a node that does not serve its tag.
            DecisionStatus.WrongShard => (StatusCodes.Status421MisdirectedRequest, ReasonWords.WrongShard),
            _ => (StatusCodes.Status500InternalServerError, ReasonWords.Internal),
        };
    }

    /// <summary>The reason word of a decision status (metrics label it so).</summary>
    public static string Reason(DecisionStatus status) => Of(new Decision(status, string.Empty)).Reason;

    /// <summary>
    /// A refusal as a problem, through <see cref="Of"/>: <c>required_threshold</c> with
    /// insufficient_work and with over_capacity when more work would get in (§6.4),
    /// <c>min_prefix_bits</c> with a prefix too wide, Retry-After with 429 and 503 (the decision's
    /// seconds, at least 1); an internal failure goes to the log under a correlation id
    /// (<see cref="WriteInternalAsync"/>).
    /// </summary>
    public static Task WriteAsync(HttpContext context, Decision refusal, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        (int status, string reason) = Of(refusal);
        if (status == StatusCodes.Status500InternalServerError)
        {
            // The decision's message names the store's failure: log it, never answer it (§12).
            return WriteInternalAsync(context, logger, new StoreUnavailableException(refusal.Message));
        }
        string detail = refusal.Message;
        uint? retryAfter = null;
        if (status is StatusCodes.Status429TooManyRequests || (status is StatusCodes.Status503ServiceUnavailable && refusal.RetryAfterSeconds != 0))
        {
            retryAfter = Math.Max(1, refusal.RetryAfterSeconds);
            detail = $"{refusal.Message}; retry after {retryAfter} s";
        }
        bool threshold = refusal.Status == DecisionStatus.InsufficientWork || (refusal.Status == DecisionStatus.OverCapacity && refusal.RequiredThreshold != 0);
        return WriteAsync(context, Document(status, reason, detail) with
        {
            RequiredThreshold = threshold ? refusal.RequiredThreshold.ToString("x16", CultureInfo.InvariantCulture) : null,
            MinPrefixBits = refusal.MinPrefixBits,
        }, retryAfter);
    }

    public static Task WriteAsync(HttpContext context, int status, string reason, string detail) =>
        WriteAsync(context, Document(status, reason, detail), retryAfterSeconds: null);

    /// <summary>
    /// Writes <paramref name="problem"/>. A 429 or 503 always carries Retry-After (§12): the
    /// given seconds, else <see cref="DefaultRetryAfterSeconds"/>.
    /// </summary>
    private static async Task WriteAsync(HttpContext context, ProblemDocument problem, uint? retryAfterSeconds)
    {
        context.Response.StatusCode = problem.Status;
        context.Response.ContentType = ContentType;
        if (problem.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = (retryAfterSeconds ?? DefaultRetryAfterSeconds).ToString(CultureInfo.InvariantCulture);
        }
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        JsonSerializer.Serialize(json, problem, WireJsonContext.Default.ProblemDocument);
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>A problem's fixed fields: <c>type</c> and <c>title</c> follow from the reason (NNRP.md §12 table).</summary>
    private static ProblemDocument Document(int status, string reason, string detail) => new()
    {
        Type = TypePrefix + reason,
        Title = Title(reason),
        Status = status,
        Detail = detail,
        Reason = reason,
    };

    /// <summary>
    /// 500 <c>internal</c> for a failure of the node itself: the exception goes to the log under
    /// a correlation id (the request's trace identifier), the answer names only that id.
    /// </summary>
    public static Task WriteInternalAsync(HttpContext context, ILogger logger, Exception exception)
    {
        string id = context.TraceIdentifier;
        logger.RequestFailed(context.Request.Method, context.Request.Path.ToString(), id, exception);
        return WriteAsync(context, Document(StatusCodes.Status500InternalServerError, ReasonWords.Internal, "the node failed; the operator's log has the details") with { CorrelationId = id }, retryAfterSeconds: null);
    }

    /// <summary>Middleware: whatever an endpoint throws becomes a 500 problem without its text.</summary>
    public static async Task CatchAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            if (context.Response.HasStarted)
            {
                // Half an answer cannot become a problem; end the connection instead.
                logger.RequestFailed(context.Request.Method, context.Request.Path.ToString(), context.TraceIdentifier, ex);
                context.Abort();
                return;
            }
            context.Response.Clear();
            await WriteInternalAsync(context, logger, ex);
        }
    }

    /// <summary>RFC 9457 §3.1.3: the same title for every problem of one type (NNRP.md §12 table).</summary>
    public static string Title(string reason) => reason switch
    {
        ReasonWords.BadForm => "Malformed request",
        ReasonWords.InsufficientWork => "Insufficient proof of work",
        ReasonWords.Expired => "Notification expired",
        ReasonWords.Future => "Timestamp in the future",
        ReasonWords.OverCapacity => "Over capacity",
        ReasonWords.RateLimited => "Rate limited",
        ReasonWords.NotFound => "Not found",
        ReasonWords.WrongShard => "Not a holder of this shard",
        _ => "Node failure",
    };
}
