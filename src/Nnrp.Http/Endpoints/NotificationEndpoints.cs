using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.Extensions.Logging;
using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Notification = Nnrp.Core.Notifications.Notification;
using Nnrp.Node;
using Nnrp.Node.Decisions;
using Nnrp.Http.OpenApi;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Reasons;
using Nnrp.Protocol.Requests;

namespace Nnrp.Http.Endpoints;

/// <summary>
/// <c>POST /v1/notifications</c>, <c>GET /v1/notifications</c> (a mailbox page) and
/// <c>GET /v1/notifications/{nr_address}</c>. The POST goes through the same ingress gate
/// as <c>/nnrp/1.0</c> and GossipSub, the node's façade; nothing here decides acceptance,
/// every decision is answered through the HTTP table (<see cref="Problems.Of"/>).
/// </summary>
internal static class NotificationEndpoints
{
    private const string ProtobufType = "application/x-protobuf";

    private const string ProtobufAlias = "application/protobuf";

    /// <summary>Encoded JSON a mailbox page gathers before handing it to Kestrel (whose own buffer then applies backpressure).</summary>
    private const int PageFlushBytes = 32 * 1024;

    public static void Map(WebApplication app, HttpApiContext api, HttpApiOptions options, ILogger logger)
    {
        // The handlers write their answers themselves (a mailbox page item by item, §11.5), so the
        // answers are declared as metadata for /openapi.json; every problem is a ProblemDocument.
        app.MapPost("/v1/notifications", (HttpContext context, CancellationToken cancellationToken) => PostAsync(context, api, options, logger, cancellationToken))
            .WithName("PublishNotification").WithTags(ContractDocument.NotificationsTag)
            .WithSummary("Publish a notification through the node's ingress gate (NNRP.md §11.6, §12).")
            // The body is described, not declared with Accepts: Accepts metadata makes routing
            // skip the endpoint for other content types (a 404), where §12.1 answers 415.
            .AddOpenApiOperationTransformer(DescribePublishBodyAsync)
            .Produces<PublishAnswer>(StatusCodes.Status202Accepted)
            .Produces<PublishAnswer>(StatusCodes.Status200OK)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status421MisdirectedRequest, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/v1/notifications", (HttpContext context,
                [FromQuery(Name = "tag")] string? tag, [FromQuery(Name = "tag_prefix")] string? tagPrefix, [FromQuery(Name = "prefix_bits")] string? prefixBits,
                [FromQuery(Name = "since")] string? since, [FromQuery(Name = "limit")] string? limit, [FromQuery(Name = "cursor")] string? cursor) =>
                ListAsync(context, new FetchParameters(tag, tagPrefix, prefixBits, since, limit, cursor), api, options, logger))
            .WithName("FetchMailbox").WithTags(ContractDocument.NotificationsTag)
            .WithSummary("One page of a mailbox: one tag, or every tag under a prefix (NNRP.md §11.5, §12).")
            .AddOpenApiOperationTransformer((operation, _, _) => FetchParameters.DescribeAsync(operation))
            .Produces<MailboxPage>(StatusCodes.Status200OK)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/v1/notifications/{address}", (HttpContext context, string address) => GetOneAsync(context, api, address, logger))
            .WithName("GetNotification").WithTags(ContractDocument.NotificationsTag)
            .WithSummary("One stored, unexpired notification by its relay address (NNRP.md §3.3).")
            .Produces<NotificationDocument>(StatusCodes.Status200OK)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
    }

    /// <summary>/openapi.json: the body is a notification in JSON (§12.3) or the §3.4 protobuf bytes.</summary>
    private static async Task DescribePublishBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        OpenApiSchema json = await context.GetOrCreateSchemaAsync(typeof(NotificationDocument), null, cancellationToken);
        var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = json },
                [ProtobufType] = new() { Schema = binary },
                [ProtobufAlias] = new() { Schema = binary },
            },
        };
    }

    private static async Task PostAsync(HttpContext context, HttpApiContext api, HttpApiOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        byte[]? body = await ReadBodyAsync(context, options.MaxBodyBytes);
        if (body is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ReasonWords.BadForm, $"the body exceeds {options.MaxBodyBytes} bytes");
            return;
        }
        // §12.1: media types match case-insensitively; parameters (charset) are ignored.
        string mediaType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "application/json";
        Origin origin = HttpApi.OriginOf(context);
        Decision decision;
        switch (mediaType)
        {
            case "application/json":
                Notification notification;
                try
                {
                    notification = NotificationJson.Parse(body);
                }
                catch (NnrpException ex)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ReasonWords.BadForm, ex.Message);
                    return;
                }
                decision = await api.Node.PublishAsync(notification, origin, cancellationToken);
                break;
            case ProtobufType or ProtobufAlias:
                // The façade decodes the bytes (§3.4), as it does a gossiped message's.
                decision = await api.Node.PublishAsync(body.AsMemory(), origin, cancellationToken);
                break;
            default:
                await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, ReasonWords.BadForm,
                    $"content type '{mediaType}' is not accepted; send application/json or {ProtobufType}");
                return;
        }
        if (decision.Receipt is not { } receipt || decision.Hash is not { } hash)
        {
            await Problems.WriteAsync(context, decision, logger);
            return;
        }

        context.Response.StatusCode = Problems.Of(decision).HttpStatus;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("hash", Hex.Encode(hash.ToArray()));
        json.WriteString("address", hash.ToRelayAddress());
        json.WritePropertyName("receipt");
        ReceiptJson.Write(json, receipt);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// A mailbox page (NNRP.md §12, §11.5): the same minimum prefix as /nnrp/1.0, the page's
    /// worst case reserved in the node's fetch budget under the client's address before the
    /// store is read, then the JSON written item by item with backpressure; a client that takes
    /// nothing for the write-stall timeout is cut off and the budget given back.
    /// </summary>
    private static async Task ListAsync(HttpContext context, FetchParameters parameters, HttpApiContext api, HttpApiOptions options, ILogger logger)
    {
        FetchQuery query;
        try
        {
            query = parameters.ToQuery();
        }
        catch (Exception ex) when (ex is NnrpException or FormatException or OverflowException)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ReasonWords.BadForm, ex.Message);
            return;
        }
        string client = HttpApi.ClientKey(context);
        using FetchAnswer answer = api.Node.Fetch(query, HttpApi.OriginOf(context));
        if (answer.Page is not { } page)
        {
            if (answer.Decision.RetryAfterSeconds != 0)
            {
                logger.FetchBudgetSpent(client);
            }
            await Problems.WriteAsync(context, answer.Decision, logger);
            return;
        }

        context.Response.ContentType = "application/json";
        PipeWriter body = context.Response.BodyWriter;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        await using var json = new Utf8JsonWriter(body);
        try
        {
            json.WriteStartObject();
            json.WriteStartArray("notifications");
            foreach (Notification n in page.Notifications)
            {
                NotificationJson.Write(json, n);
                if (json.BytesPending >= PageFlushBytes)
                {
                    json.Flush();
                    await FlushAsync(body, stall, options.WriteStallTimeout);
                }
            }
            json.WriteEndArray();
            if (page.HasMore)
            {
                json.WriteString("next_cursor", FetchParameters.ToBase64Url(page.NextCursor.Span));
            }
            else
            {
                json.WriteNull("next_cursor");
            }
            json.WriteEndObject();
            json.Flush();
            await FlushAsync(body, stall, options.WriteStallTimeout);
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            logger.WriteStalled(client);
            context.Abort();
        }
    }

    /// <summary>Hands the written JSON to Kestrel; waits (at most <paramref name="writeStall"/>) while its buffer is full.</summary>
    private static async Task FlushAsync(PipeWriter body, CancellationTokenSource stall, TimeSpan writeStall)
    {
        stall.CancelAfter(writeStall);
        FlushResult flush = await body.FlushAsync(stall.Token);
        if (flush.IsCanceled)
        {
            throw new OperationCanceledException(stall.Token);
        }
        stall.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private static async Task GetOneAsync(HttpContext context, HttpApiContext api, string address, ILogger logger)
    {
        if (!RelayAddress.TryDecode(address, out NotificationHash hash, out string? error))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ReasonWords.BadForm, error);
            return;
        }
        Notification? found;
        try
        {
            found = api.Node.Store.Get(hash);
        }
        catch (StoreUnavailableException ex)
        {
            await Problems.WriteInternalAsync(context, logger, ex);
            return;
        }
        ulong now = (ulong)api.Time.GetUtcNow().ToUnixTimeSeconds();
        if (found is null || found.ExpiresAt <= now)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, ReasonWords.NotFound, $"{address} is not stored here");
            return;
        }
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        NotificationJson.Write(json, found);
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger (checked before buffering it all).</summary>
    /// <summary>
    /// How far past the 8 KiB limit a body is still read and thrown away before the 413 (§12.1 Sizes).
    /// An answer sent while request bytes sit unread ends in a TCP reset that can reach the client before
    /// the answer, so an honest wallet that sent 9 KiB would see "connection reset" instead of the
    /// refusal; draining a bounded excess keeps the connection orderly. Beyond it the node answers at once
    /// and closes: it never reads more than limit + allowance bytes of one request.
    /// </summary>
    internal const int OversizedBodyDrainBytes = 64 * 1024;

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        long? declared = context.Request.ContentLength;
        if (declared > limit + OversizedBodyDrainBytes)
        {
            return null;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // Kestrel's own limit trips at limit + allowance; up to it the excess is drained below.
            size.MaxRequestBodySize = limit + OversizedBodyDrainBytes;
        }
        bool oversized = declared > limit;
        PipeReader reader = context.Request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // A chunked body past the allowance: refuse without reading further.
                return null;
            }
            if (oversized || read.Buffer.Length > limit)
            {
                // Over the limit: nothing is kept, the rest is only drained.
                oversized = true;
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return null;
                }
                continue;
            }
            if (read.IsCompleted)
            {
                byte[] body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
