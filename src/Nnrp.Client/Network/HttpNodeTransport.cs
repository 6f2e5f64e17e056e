using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Protocol.Reasons;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Network;

/// <summary>
/// <see cref="INodeTransport"/> over a node's HTTP API (NNRP.md §12):
/// <code>
///   POST /v1/notifications          body: protobuf Notification   → {"hash", "address", "receipt": {…hex…}}
///   GET  /v1/notifications?tag_prefix=&lt;hex&gt;&amp;prefix_bits=&amp;since=&amp;limit=&amp;cursor=&lt;base64url&gt;
///                                    → {"notifications": [§12 JSON…], "next_cursor": "…" | null}
///   GET  /v1/status                 → {"agent", "protocol_version", "base_threshold", …}
///   refusals: problem+json {"reason": "insufficient_work", "detail", "required_threshold"?}, Retry-After with 429 / 503
/// </code>
/// Answers are bounded and decoded with Nnrp.Core's codecs; nothing a node says is trusted
/// beyond what the receipt signature and the recomputed hashes prove.
/// </summary>
public sealed class HttpNodeTransport(HttpClient http) : INodeTransport
{
    /// <summary>Largest answer read: a full page of 500 notifications in JSON is about 1.5 MB.</summary>
    public const int MaxResponseSize = 4 * 1024 * 1024;

    private const string ProtobufType = "application/x-protobuf";

    /// <inheritdoc />
    public async Task<PublishReply> PublishAsync(NodeAddress node, Notification notification, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(NotificationProtobuf.Encode(notification));
        content.Headers.ContentType = new MediaTypeHeaderValue(ProtobufType);
        (bool ok, JsonElement body, uint retryAfter) = await SendAsync(HttpMethod.Post, Endpoint(node, "v1/notifications"), content, cancellationToken);
        if (!ok)
        {
            (StatusCode status, string message) = Refusal(body);
            ulong required = body.TryGetProperty("required_threshold", out JsonElement r) && ProofOfWork(r.GetString(), out ulong t) ? t : 0;
            return new PublishReply(status, message, null, required, retryAfter);
        }
        JsonElement receipt = Decode(() => body.GetProperty("receipt"));
        return Decode(() => new PublishReply(StatusCode.Ok, "", new StoreReceipt
        {
            Hash = ByteString.CopyFrom(Convert.FromHexString(receipt.GetProperty("hash").GetString()!)),
            ExpiresAt = receipt.GetProperty("expires_at").GetUInt64(),
            NodePublicKey = ByteString.CopyFrom(Convert.FromHexString(receipt.GetProperty("node_public_key").GetString()!)),
            Signature = ByteString.CopyFrom(Convert.FromHexString(receipt.GetProperty("signature").GetString()!)),
        }, 0, 0));
    }

    /// <inheritdoc />
    public async Task<FetchPage> FetchAsync(NodeAddress node, FetchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var url = new StringBuilder("v1/notifications?");
        url.Append(CultureInfo.InvariantCulture, $"tag_prefix={Hex.Encode(query.PrefixBytes.Span)}&prefix_bits={query.PrefixBits}&since={query.Since}&limit={query.Limit}");
        if (!query.Cursor.IsEmpty)
        {
            url.Append("&cursor=").Append(Convert.ToBase64String(query.Cursor.Span).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        }
        (bool ok, JsonElement body, _) = await SendAsync(HttpMethod.Get, Endpoint(node, url.ToString()), null, cancellationToken);
        if (!ok)
        {
            (StatusCode status, string message) = Refusal(body);
            throw new NodeRefusedException(status, message);
        }
        var page = new List<Notification>();
        foreach (JsonElement item in Decode(() => body.GetProperty("notifications").EnumerateArray().ToList()))
        {
            Notification n = Decode(() => NotificationJson.Parse(item.GetRawText()));
            if (!query.Matches(n.RecipientTag) || n.Timestamp < query.Since)
            {
                throw new MalformedAnswerException("the node returned a notification outside the query");
            }
            page.Add(n);
        }
        if (page.Count > query.Limit)
        {
            throw new MalformedAnswerException("the node returned more than the page limit");
        }
        byte[] cursor = body.TryGetProperty("next_cursor", out JsonElement c) && c.ValueKind == JsonValueKind.String
            ? Decode(() => FromBase64Url(c.GetString()!))
            : [];
        return new FetchPage(page, cursor);
    }

    /// <inheritdoc />
    public async Task<StatusResponse> StatusAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        (bool ok, JsonElement body, _) = await SendAsync(HttpMethod.Get, Endpoint(node, "v1/status"), null, cancellationToken);
        if (!ok)
        {
            (StatusCode status, string message) = Refusal(body);
            throw new NodeRefusedException(status, message);
        }
        return Decode(() =>
        {
            var info = new StatusResponse
            {
                Agent = body.GetProperty("agent").GetString() ?? "",
                ProtocolVersion = body.GetProperty("protocol_version").GetUInt32(),
                BaseThreshold = Threshold(body, "base_threshold"),
                CurrentThreshold = Threshold(body, "current_threshold"),
                Stored = body.GetProperty("stored").GetUInt64(),
                Now = body.GetProperty("now").GetUInt64(),
                MaxPayload = body.GetProperty("max_payload").GetUInt32(),
                MinTtl = body.GetProperty("min_ttl").GetUInt32(),
                MaxTtl = body.GetProperty("max_ttl").GetUInt32(),
                MaxPage = body.GetProperty("max_page").GetUInt32(),
            };
            if (body.TryGetProperty("shards", out JsonElement shards))
            {
                foreach (JsonElement shard in shards.EnumerateArray())
                {
                    info.Shards.Add(new Shard { Bits = shard.GetProperty("bits").GetUInt32(), Index = shard.GetProperty("index").GetUInt32() });
                }
            }
            return info;
        });
    }

    /// <summary>Any malformed field of a node's answer is an <see cref="MalformedAnswerException"/> (an I/O error of that node).</summary>
    private static T Decode<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or JsonException or NnrpException)
        {
            throw new MalformedAnswerException("the node's answer is malformed: " + e.Message, e);
        }
    }

    private static Uri Endpoint(NodeAddress node, string path)
    {
        Uri root = node.Url ?? throw new ArgumentException($"{node} is not an http(s) address", nameof(node));
        return new Uri(root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/"), path);
    }

    /// <summary>Sends and parses a bounded JSON answer; false with the problem document (and its Retry-After, 0 = none) for 4xx/5xx.</summary>
    private async Task<(bool Ok, JsonElement Body, uint RetryAfterSeconds)> SendAsync(HttpMethod method, Uri url, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"{url.GetLeftPart(UriPartial.Authority)} unreachable: {e.Message}", e);
        }
        using (response)
        {
            byte[] body = await BoundedBody.ReadAsync(response.Content, MaxResponseSize, cancellationToken)
                ?? throw new MalformedAnswerException($"an answer over the {MaxResponseSize}-byte limit");
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                TimeSpan? retry = response.Headers.RetryAfter?.Delta;
                uint retryAfter = retry is { } delta ? (uint)Math.Clamp(Math.Ceiling(delta.TotalSeconds), 0, uint.MaxValue) : 0;
                return (response.IsSuccessStatusCode, document.RootElement.Clone(), retryAfter);
            }
            catch (JsonException e)
            {
                throw new MalformedAnswerException($"HTTP {(int)response.StatusCode} with a body that is not JSON", e);
            }
        }
    }

    private static (StatusCode Status, string Message) Refusal(JsonElement problem)
    {
        string reason = problem.TryGetProperty("reason", out JsonElement r) ? r.GetString() ?? "" : "";
        string detail = problem.TryGetProperty("detail", out JsonElement d) ? d.GetString() ?? "" : "";
        // The client's reading table: the shared reason words (NNRP.md §12), a word it does not know read as INTERNAL.
        return (ReasonWords.ToStatusCode(reason), detail.Length > 0 ? detail : reason);
    }

    private static ulong Threshold(JsonElement body, string name) =>
        ProofOfWork(body.GetProperty(name).GetString(), out ulong value) ? value : throw new MalformedAnswerException($"{name} is not 16 hex digits");

    private static bool ProofOfWork(string? text, out ulong value) => Core.Work.ProofOfWork.TryParseWork(text, out value);

    private static byte[] FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
