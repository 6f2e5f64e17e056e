using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Notification = Nnrp.Core.Notifications.Notification;
using Nnrp.Node;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;

namespace Nnrp.Http.Endpoints;

/// <summary>
/// <c>POST /v1/notifications</c>, <c>GET /v1/notifications</c> (a mailbox page) and
/// <c>GET /v1/notifications/{nr_address}</c>. The POST goes through the same ingress gate
/// as <c>/nnrp/1.0</c> and GossipSub; nothing here decides acceptance.
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
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "bad_form", $"the body exceeds {options.MaxBodyBytes} bytes");
            return;
        }
        string mediaType = context.Request.ContentType?.Split(';')[0].Trim() ?? "application/json";
        Notification notification;
        try
        {
            notification = mediaType switch
            {
                "application/json" => NotificationJson.Parse(body),
                ProtobufType or "application/protobuf" => NotificationProtobuf.Decode(body),
                _ => throw new UnsupportedMediaTypeException(mediaType),
            };
        }
        catch (UnsupportedMediaTypeException ex)
        {
            await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "bad_form", ex.Message);
            return;
        }
        catch (NnrpException ex)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_form", ex.Message);
            return;
        }

        IngressResult result = await api.Node.Ingress.SubmitAsync(notification, context.RequestAborted);
        if (result.Status == IngressStatus.Internal)
        {
            // The gate's message names the store's failure: log it, never answer it (§12).
            await Problems.WriteInternalAsync(context, logger, new StoreUnavailableException(result.Message));
            return;
        }
        if (!result.IsStored)
        {
            await Problems.WriteAsync(context, Problems.HttpStatus(result.Status), Problems.Reason(result.Status), result.Message, json =>
            {
                // §12: with insufficient_work, and with over_capacity when more work would get in (§6.4).
                if (result.Status == IngressStatus.InsufficientWork || (result.Status == IngressStatus.OverCapacity && result.RequiredThreshold != 0))
                {
                    json.WriteString("required_threshold", result.RequiredThreshold.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
                }
            });
            return;
        }

        NotificationHash hash = result.Hash!.Value;
        StoreReceipt receipt = api.Node.Service.SignReceipt(hash, result.ExpiresAt);
        context.Response.StatusCode = result.Status == IngressStatus.Accepted ? StatusCodes.Status202Accepted : StatusCodes.Status200OK;
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
            query = FetchQuery.FromProto(ParseFetch(context.Request.Query));
        }
        catch (Exception ex) when (ex is NnrpException or FormatException or OverflowException)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_form", ex.Message);
            return;
        }
        int minBits = api.Node.Service.Options.MinPrefixBits;
        if (query.PrefixBits < minBits)
        {
            // The /nnrp/1.0 word (OVER_CAPACITY), so a wallet narrows its prefix on either door.
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "over_capacity",
                $"this node serves tag prefixes of at least {minBits} bits", json => json.WriteNumber("min_prefix_bits", minBits));
            return;
        }

        string client = HttpApi.ClientKey(context);
        using FetchLease? lease = api.Node.Service.FetchBudget.TryReserve(client, FetchBudget.WorstCase(query.Limit));
        if (lease is null)
        {
            logger.FetchBudgetSpent(client);
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "over_capacity", "too many mailbox pages in flight; read them or retry later");
            return;
        }
        NotificationPage page;
        try
        {
            page = api.Node.Store.Fetch(query, (ulong)api.Time.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (NnrpException ex)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_form", ex.Message);
            return;
        }
        catch (StoreUnavailableException ex)
        {
            await Problems.WriteInternalAsync(context, logger, ex);
            return;
        }
        lease.ShrinkTo(FetchBudget.PageBytes(page));

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
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_form", error);
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
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not_found", $"{address} is not stored here");
            return;
        }
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        NotificationJson.Write(json, found);
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// Query string to the /nnrp/1.0 FetchRequest, so both doors share one validation
    /// (FetchQuery.FromProto): <c>tag</c> (64 hex) or <c>tag_prefix</c> (hex) with
    /// <c>prefix_bits</c>; <c>since</c>, <c>limit</c>, <c>cursor</c> (base64url).
    /// </summary>
    private static FetchRequest ParseFetch(IQueryCollection query)
    {
        var request = new FetchRequest();
        string? tag = query["tag"];
        string? prefix = query["tag_prefix"];
        if (tag is not null == prefix is not null)
        {
            throw new FormatException("give exactly one of tag and tag_prefix");
        }
        if (tag is not null)
        {
            request.RecipientTag = ByteString.CopyFrom(Convert.FromHexString(tag));
        }
        else
        {
            string bits = query["prefix_bits"].ToString();
            request.TagPrefix = new TagPrefix
            {
                Prefix = ByteString.CopyFrom(Convert.FromHexString(prefix!)),
                Bits = bits.Length == 0 ? (uint)prefix!.Length * 4 : uint.Parse(bits, System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        if (query["since"].ToString() is { Length: > 0 } since)
        {
            request.Since = ulong.Parse(since, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (query["limit"].ToString() is { Length: > 0 } limit)
        {
            request.Limit = uint.Parse(limit, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            request.Cursor = ByteString.CopyFrom(FromBase64Url(cursor));
        }
        return request;
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

    private sealed class UnsupportedMediaTypeException(string mediaType)
        : Exception($"content type '{mediaType}' is not accepted; send application/json or {ProtobufType}");
}
