using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nnrp.Node.Ingress;

namespace Nnrp.Http;

/// <summary>
/// Errors as RFC 9457 problem details (<c>application/problem+json</c>) with a machine-readable
/// <c>reason</c> a wallet can switch on, the same vocabulary as the ingress reason codes.
/// NNRP.md §12: a problem never carries exception text (store messages, paths); a failure is
/// logged with a correlation id, and the answer carries only that id.
/// </summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static string Reason(IngressStatus status) => status switch
    {
        IngressStatus.Accepted => "accepted",
        IngressStatus.Duplicate => "duplicate",
        IngressStatus.BadForm => "bad_form",
        IngressStatus.InsufficientWork => "insufficient_work",
        IngressStatus.Expired => "expired",
        IngressStatus.Future => "future",
        IngressStatus.OverCapacity => "over_capacity",
        _ => "internal",
    };

    /// <summary>
    /// 400 for what the client must fix in the document, 422 for a well-formed notification
    /// the rules refuse (short work, outside the clock window), 503 with Retry-After when the
    /// node sheds load, 500 when the node itself failed.
    /// </summary>
    public static int HttpStatus(IngressStatus status) => status switch
    {
        IngressStatus.BadForm => StatusCodes.Status400BadRequest,
        IngressStatus.InsufficientWork or IngressStatus.Expired or IngressStatus.Future => StatusCodes.Status422UnprocessableEntity,
        IngressStatus.OverCapacity => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static async Task WriteAsync(HttpContext context, int status, string reason, string detail, Action<Utf8JsonWriter>? extra = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("type", "urn:nnrp:reason:" + reason);
        json.WriteString("title", Title(status));
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteString("reason", reason);
        extra?.Invoke(json);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// 500 <c>internal</c> for a failure of the node itself: the exception goes to the log under
    /// a correlation id (the request's trace identifier), the answer names only that id.
    /// </summary>
    public static Task WriteInternalAsync(HttpContext context, ILogger logger, Exception exception)
    {
        string id = context.TraceIdentifier;
        logger.RequestFailed(context.Request.Method, context.Request.Path.ToString(), id, exception);
        return WriteAsync(context, StatusCodes.Status500InternalServerError, "internal", "the node failed; the operator's log has the details", json => json.WriteString("correlation_id", id));
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

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        404 => "Not found",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        422 => "Refused by the relay rules",
        503 => "Over capacity",
        _ => "Node error",
    };
}
