using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Notification = Nnrp.Core.Notifications.Notification;
using Nnrp.Node;
using Nnrp.Node.Decisions;
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

    /// <summary>Encoded JSON a mailbox page gathers before handing it to Kestrel (whose own buffer then applies backpressure).</summary>
    private const int PageFlushBytes = 32 * 1024;

    public static void Map(WebApplication app, HttpApiContext api, HttpApiOptions options, ILogger logger)
    {
        app.MapPost("/v1/notifications", (HttpContext context) => PostAsync(context, api, options, logger));
        app.MapGet("/v1/notifications", (HttpContext context) => ListAsync(context, api, options, logger));
        app.MapGet("/v1/notifications/{address}", (HttpContext context, string address) => GetOneAsync(context, api, address, logger));
    }

    private static async Task PostAsync(HttpContext context, HttpApiContext api, HttpApiOptions options, ILogger logger)
    {
        byte[]? body = await ReadBodyAsync(context, options.MaxBodyBytes);
        if (body is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ReasonWords.BadForm, $"the body exceeds {options.MaxBodyBytes} bytes");
            return;
        }
        string mediaType = context.Request.ContentType?.Split(';')[0].Trim() ?? "application/json";
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
                decision = await api.Node.PublishAsync(notification, origin, context.RequestAborted);
                break;
            case ProtobufType or "application/protobuf":
                // The façade decodes the bytes (§3.4), as it does a gossiped message's.
                decision = await api.Node.PublishAsync(body.AsMemory(), origin, context.RequestAborted);
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
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// A mailbox page (NNRP.md §12, §11.5): the same minimum prefix as /nnrp/1.0, the page's
    /// worst case reserved in the node's fetch budget under the client's address before the
    /// store is read, then the JSON written item by item with backpressure; a client that takes
    /// nothing for the write-stall timeout is cut off and the budget given back.
    /// </summary>
    private static async Task ListAsync(HttpContext context, HttpApiContext api, HttpApiOptions options, ILogger logger)
    {
        FetchQuery query;
        try
        {
            query = ParseFetch(context.Request.Query);
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
                json.WriteString("next_cursor", Base64Url(page.NextCursor.Span));
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

    /// <summary>
    /// The query string as a validated <see cref="FetchQuery"/> (the limits of NNRP.md §11.5,
    /// checked by FetchQuery as for /nnrp/1.0): <c>tag</c> (64 hex) or <c>tag_prefix</c> (hex)
    /// with <c>prefix_bits</c> (default: 4 per hex digit); <c>since</c>, <c>limit</c>,
    /// <c>cursor</c> (base64url).
    /// </summary>
    private static FetchQuery ParseFetch(IQueryCollection query)
    {
        string? tag = query["tag"];
        string? prefix = query["tag_prefix"];
        if (tag is not null == prefix is not null)
        {
            throw new FormatException("give exactly one of tag and tag_prefix");
        }
        ulong since = query["since"].ToString() is { Length: > 0 } s ? ulong.Parse(s, CultureInfo.InvariantCulture) : 0;
        int limit = query["limit"].ToString() is { Length: > 0 } l ? (int)Math.Min(uint.Parse(l, CultureInfo.InvariantCulture), int.MaxValue) : 0;
        byte[] cursor = query["cursor"].ToString() is { Length: > 0 } c ? FromBase64Url(c) : [];
        if (tag is not null)
        {
            return FetchQuery.ForPrefix(Convert.FromHexString(tag), FetchQuery.ExactBits, since, limit, cursor);
        }
        string bits = query["prefix_bits"].ToString();
        int prefixBits = bits.Length == 0 ? prefix!.Length * 4 : (int)Math.Min(uint.Parse(bits, CultureInfo.InvariantCulture), int.MaxValue);
        return FetchQuery.ForPrefix(Convert.FromHexString(prefix!), prefixBits, since, limit, cursor);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger (checked before buffering it all).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }
        PipeReader reader = context.Request.BodyReader;
        while (true)
        {
            ReadResult read = await reader.ReadAsync(context.RequestAborted);
            if (read.Buffer.Length > limit)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return null;
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

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
