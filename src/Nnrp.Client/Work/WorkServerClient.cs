using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Client.Work;

/// <summary>
/// Work from a Nano work server or node RPC (nano-node <c>work_generate</c>): NNRP work is
/// Nano work with the content hash as the root (NNRP.md §6.1), so any of them serves.
/// <code>
///   → POST {"action": "work_generate", "hash": "&lt;64 hex&gt;", "difficulty": "&lt;16 hex&gt;"}
///   ← {"work": "&lt;16 hex&gt;", "difficulty": "…", "multiplier": "…", "hash": "…"}   or {"error": "…"}
/// </code>
/// The answer is never trusted: the work is checked against the threshold before it is used.
/// </summary>
public sealed class WorkServerClient : IWorkSource
{
    /// <summary>A work server answer is a small JSON object; more is refused.</summary>
    public const int MaxResponseSize = 64 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <summary>A client of the work server at <paramref name="endpoint"/> (e.g. <c>http://127.0.0.1:7076</c>).</summary>
    public WorkServerClient(HttpClient http, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("a work server URL is http:// or https://", nameof(endpoint));
        }
        _http = http;
        _endpoint = endpoint;
    }

    /// <summary>The server's URL.</summary>
    public Uri Endpoint => _endpoint;

    /// <inheritdoc />
    /// <remarks>A work server reports no progress; <paramref name="progress"/> is not called.</remarks>
    public async Task<ulong> GenerateAsync(NotificationHash hash, ulong threshold, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(RequestBody(hash, threshold));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(_endpoint, content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new NnrpClientException($"work server {_endpoint} unreachable: {e.Message}", e);
        }
        using (response)
        {
            byte[] body = await Network.BoundedBody.ReadAsync(response.Content, MaxResponseSize, cancellationToken)
                ?? throw new NnrpClientException($"work server {_endpoint} sent an answer over {MaxResponseSize} bytes");
            if (!response.IsSuccessStatusCode)
            {
                throw new NnrpClientException($"work server {_endpoint} answered HTTP {(int)response.StatusCode}: {ErrorOf(body) ?? response.ReasonPhrase}");
            }
            ulong work = ParseWork(body, _endpoint);
            Span<byte> root = stackalloc byte[NotificationHash.Size];
            hash.CopyTo(root);
            if (!ProofOfWork.IsValid(root, work, threshold))
            {
                throw new NnrpClientException($"work server {_endpoint} returned work {ProofOfWork.FormatWork(work)} that does not meet {ProofOfWork.FormatWork(threshold)}");
            }
            return work;
        }
    }

    /// <summary>The JSON-RPC request body.</summary>
    internal static byte[] RequestBody(NotificationHash hash, ulong threshold)
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("action", "work_generate");
            // Nano RPC writes hashes in uppercase hex; servers accept either case.
            writer.WriteString("hash", hash.ToString().ToUpperInvariant());
            writer.WriteString("difficulty", ProofOfWork.FormatWork(threshold));
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static ulong ParseWork(byte[] body, Uri endpoint)
    {
        if (ErrorOf(body) is { } error)
        {
            throw new NnrpClientException($"work server {endpoint} refused: {error}");
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("work", out JsonElement work)
                && work.ValueKind == JsonValueKind.String
                && ProofOfWork.TryParseWork(work.GetString(), out ulong value))
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Reported below like any other malformed answer.
        }
        throw new NnrpClientException($"work server {endpoint} answered without a 16-hex-digit \"work\"");
    }

    private static string? ErrorOf(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out JsonElement error)
                ? error.ToString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
