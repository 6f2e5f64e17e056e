using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Nnrp.Core.Notifications;

namespace Nnrp.Http.OpenApi;

/// <summary>
/// The string forms of NNRP.md §12, as JSON-Schema patterns. Writers use lowercase hex; readers
/// accept either case, so the patterns accept both.
/// </summary>
internal static class WirePatterns
{
    /// <summary>32 bytes as 64 hex digits (a recipient tag, a hash, a public key).</summary>
    public const string Hex32 = "^[0-9a-fA-F]{64}$";

    /// <summary>An Ed25519 signature: 64 bytes as 128 hex digits.</summary>
    public const string Hex64 = "^[0-9a-fA-F]{128}$";

    /// <summary>A u64 as 16 hex digits, big-endian (work, thresholds; NNRP.md §6.1).</summary>
    public const string HexU64 = "^[0-9a-fA-F]{16}$";

    /// <summary>Standard padded base64 (RFC 4648 §4).</summary>
    public const string Base64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

    /// <summary>base64url without padding (RFC 4648 §5), the cursor's form.</summary>
    public const string Base64Url = "^[A-Za-z0-9_-]*$";

    /// <summary>A relay address (NNRP.md §3.3): <c>nr_</c> + Nano base32 of the 32-byte hash.</summary>
    public const string RelayAddress = "^nr_[13456789abcdefghijkmnopqrstuwxyz]{52}$";

    /// <summary>The problem <c>type</c> URIs (NNRP.md §12): <c>urn:nnrp:problem:</c> + the reason word.</summary>
    public const string ProblemType = "^urn:nnrp:problem:[a-z_]+$";
}

/// <summary>A notification in JSON (NNRP.md §12), as <see cref="NotificationJson"/> reads and writes it.</summary>
internal sealed record NotificationDocument
{
    [JsonPropertyName("version"), Range(1, 1), Description("Always 1 (NNRP.md §3.1).")]
    public required uint Version { get; init; }

    [JsonPropertyName("recipient_tag"), RegularExpression(WirePatterns.Hex32), Description("32 bytes, hex (NNRP.md §4).")]
    public required string RecipientTag { get; init; }

    [JsonPropertyName("timestamp"), Description("Unix seconds; refused when more than 600 s ahead of the node's clock (§5).")]
    public required ulong Timestamp { get; init; }

    [JsonPropertyName("ttl"), Range(NotificationLimits.MinTtl, NotificationLimits.MaxTtl), Description("Seconds the notification lives (§3.1).")]
    public required uint Ttl { get; init; }

    [JsonPropertyName("payload"), RegularExpression(WirePatterns.Base64), Description("The sealed payload (§7), at most 2048 bytes, standard padded base64.")]
    public required string Payload { get; init; }

    [JsonPropertyName("work"), RegularExpression(WirePatterns.HexU64), Description("Proof of work, u64 as 16 hex digits, big-endian as Nano writes it (§6.1).")]
    public required string Work { get; init; }
}

/// <summary>A store receipt in JSON (NNRP.md §11.6, §12): the protobuf fields by name, bytes as lowercase hex.</summary>
internal sealed record ReceiptDocument
{
    [JsonPropertyName("hash"), RegularExpression(WirePatterns.Hex32)]
    public required string Hash { get; init; }

    [JsonPropertyName("expires_at"), Description("Unix seconds: timestamp + ttl.")]
    public required ulong ExpiresAt { get; init; }

    [JsonPropertyName("node_public_key"), RegularExpression(WirePatterns.Hex32), Description("The node's Ed25519 identity key.")]
    public required string NodePublicKey { get; init; }

    [JsonPropertyName("signature"), RegularExpression(WirePatterns.Hex64), Description("Ed25519 over \"nnrp/receipt/1\" ‖ hash ‖ expires_at:u64 BE.")]
    public required string Signature { get; init; }
}

/// <summary>The answer to a publish that stored (202) or already held (200) the notification.</summary>
internal sealed record PublishAnswer
{
    [JsonPropertyName("hash"), RegularExpression(WirePatterns.Hex32), Description("The content hash (§3.2), lowercase hex.")]
    public required string Hash { get; init; }

    [JsonPropertyName("address"), RegularExpression(WirePatterns.RelayAddress), Description("The relay address (§3.3).")]
    public required string Address { get; init; }

    [JsonPropertyName("receipt")]
    public required ReceiptDocument Receipt { get; init; }
}

/// <summary>One page of a mailbox (NNRP.md §11.5, §12).</summary>
internal sealed record MailboxPage
{
    [JsonPropertyName("notifications"), Description("Ordered by (timestamp, hash) ascending; may be empty while next_cursor is not null.")]
    public required IReadOnlyList<NotificationDocument> Notifications { get; init; }

    [JsonPropertyName("next_cursor"), RegularExpression(WirePatterns.Base64Url), Description("base64url without padding; null when there are no more pages.")]
    public required string? NextCursor { get; init; }
}

/// <summary>
/// A refusal (RFC 9457 problem details, <c>application/problem+json</c>, NNRP.md §12). The node
/// writes exactly this type (<see cref="Problems"/>), so the document and the wire cannot differ.
/// </summary>
internal sealed record ProblemDocument
{
    [JsonPropertyName("type"), RegularExpression(WirePatterns.ProblemType), Description("urn:nnrp:problem: followed by the reason word.")]
    public required string Type { get; init; }

    [JsonPropertyName("title"), Description("Fixed text per reason (NNRP.md §12 table).")]
    public required string Title { get; init; }

    [JsonPropertyName("status"), Description("The HTTP status code of the answer.")]
    public required int Status { get; init; }

    [JsonPropertyName("detail"), Description("Human-readable, never parsed; never exception text.")]
    public required string Detail { get; init; }

    [JsonPropertyName("reason"), Description("What a client switches on: a §11.4 code in snake case, or not_found.")]
    public required string Reason { get; init; }

    [JsonPropertyName("required_threshold"), RegularExpression(WirePatterns.HexU64), Description("With insufficient_work, and with over_capacity when more work would get in (§6.4).")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequiredThreshold { get; init; }

    [JsonPropertyName("min_prefix_bits"), Description("With over_capacity (400): the widest prefix this node serves.")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MinPrefixBits { get; init; }

    [JsonPropertyName("correlation_id"), Description("With internal (500): names the node's log entry.")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CorrelationId { get; init; }
}

/// <summary><c>GET /v1/work</c>: what work the node asks for now (NNRP.md §6.2).</summary>
internal sealed record WorkDocument
{
    [JsonPropertyName("base_threshold"), RegularExpression(WirePatterns.HexU64)]
    public required string BaseThreshold { get; init; }

    [JsonPropertyName("current_threshold"), RegularExpression(WirePatterns.HexU64)]
    public required string CurrentThreshold { get; init; }

    [JsonPropertyName("multiplier"), Description("current relative to base: (2^64 − base) / (2^64 − current).")]
    public required double Multiplier { get; init; }
}

/// <summary>The source-generated serializer of the documents the node writes with <see cref="System.Text.Json.JsonSerializer"/>.</summary>
[JsonSerializable(typeof(ProblemDocument))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
