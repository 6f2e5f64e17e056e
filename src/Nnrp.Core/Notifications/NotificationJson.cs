using System.Buffers;
using System.Text;
using System.Text.Json;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Work;

namespace Nnrp.Core.Notifications;

/// <summary>
/// The JSON form of a notification for the HTTP API (NNRP.md §12), a public contract:
/// <code>
/// {"version": 1, "recipient_tag": "&lt;64 hex&gt;", "timestamp": &lt;int&gt;, "ttl": &lt;int&gt;,
///  "payload": "&lt;base64&gt;", "work": "&lt;16 hex, big-endian u64&gt;"}
/// </code>
/// Written with lowercase hex and standard padded base64; read with either hex case.
/// All six fields are required, each at most once; unknown fields are ignored.
/// </summary>
public static class NotificationJson
{
    private static readonly JsonEncodedText VersionName = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText TagName = JsonEncodedText.Encode("recipient_tag");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText TtlName = JsonEncodedText.Encode("ttl");
    private static readonly JsonEncodedText PayloadName = JsonEncodedText.Encode("payload");
    private static readonly JsonEncodedText WorkName = JsonEncodedText.Encode("work");

    /// <summary>Writes the JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, Notification notification)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(notification);
        writer.WriteStartObject();
        writer.WriteNumber(VersionName, notification.Version);
        writer.WriteString(TagName, notification.RecipientTag.ToString());
        writer.WriteNumber(TimestampName, notification.Timestamp);
        writer.WriteNumber(TtlName, notification.Ttl);
        writer.WriteBase64String(PayloadName, notification.Payload.Span);
        writer.WriteString(WorkName, ProofOfWork.FormatWork(notification.Work));
        writer.WriteEndObject();
    }

    /// <summary>The JSON text of a notification.</summary>
    public static string Serialize(Notification notification)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, notification);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses JSON text.</summary>
    public static Notification Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > NotificationLimits.MaxJsonSize)
        {
            throw TooLarge(json.Length);
        }
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Parses UTF-8 JSON.</summary>
    /// <exception cref="NotificationRuleException">the rule broken: <see cref="NotificationRule.Encoding"/> for bad JSON or a missing/mistyped field, or the field's own rule.</exception>
    public static Notification Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > NotificationLimits.MaxJsonSize)
        {
            throw TooLarge(utf8Json.Length);
        }
        try
        {
            return Read(utf8Json);
        }
        catch (JsonException e)
        {
            throw Bad("not valid JSON: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 or a token of the wrong type.
            throw Bad("not valid JSON: " + e.Message, e);
        }
    }

    private static Notification Read(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad("a notification is a JSON object");
        }
        uint? version = null;
        RecipientTag? tag = null;
        ulong? timestamp = null;
        uint? ttl = null;
        byte[]? payload = null;
        ulong? work = null;
        while (true)
        {
            if (!reader.Read())
            {
                throw Bad("unterminated JSON object");
            }
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }
            string name = reader.GetString()!;
            if (!reader.Read())
            {
                throw Bad("unterminated JSON object");
            }
            switch (name)
            {
                case "version":
                    Once(version, name);
                    version = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out uint v) ? v
                        : throw Bad("version is an unsigned integer");
                    break;
                case "recipient_tag":
                    Once(tag, name);
                    tag = ReadTag(ref reader);
                    break;
                case "timestamp":
                    Once(timestamp, name);
                    timestamp = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out ulong ts) ? ts
                        : throw Bad("timestamp is an unsigned integer (unix seconds)");
                    break;
                case "ttl":
                    Once(ttl, name);
                    ttl = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out uint t) ? t
                        : throw new NotificationRuleException(NotificationRule.TtlRange, "ttl is an unsigned 32-bit integer (seconds)");
                    break;
                case "payload":
                    if (payload is not null)
                    {
                        throw Bad("payload appears twice");
                    }
                    payload = ReadPayload(ref reader);
                    break;
                case "work":
                    Once(work, name);
                    work = reader.TokenType == JsonTokenType.String && ProofOfWork.TryParseWork(reader.GetString(), out ulong w) ? w
                        : throw Bad("work is a string of 16 hex digits (big-endian u64)");
                    break;
                default:
                    reader.Skip(); // unknown fields are ignored (forward compatibility)
                    break;
            }
        }
        if (reader.Read())
        {
            throw Bad("trailing content after the JSON object");
        }
        return new Notification(
            version ?? throw Missing("version"),
            tag ?? throw Missing("recipient_tag"),
            timestamp ?? throw Missing("timestamp"),
            ttl ?? throw Missing("ttl"),
            payload ?? throw Missing("payload"),
            work ?? throw Missing("work"));
    }

    private static RecipientTag ReadTag(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new NotificationRuleException(NotificationRule.RecipientTagLength, "recipient_tag is a string of 64 hex digits");
        }
        Span<byte> bytes = stackalloc byte[RecipientTag.Size];
        if (!Hex.TryDecode(reader.GetString(), bytes))
        {
            throw new NotificationRuleException(NotificationRule.RecipientTagLength, "recipient_tag is 64 hex digits (32 bytes)");
        }
        return RecipientTag.FromBytes(bytes);
    }

    private static byte[] ReadPayload(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetBytesFromBase64(out byte[]? bytes))
        {
            throw Bad("payload is a standard base64 string");
        }
        if (bytes.Length > NotificationLimits.MaxPayload)
        {
            throw new NotificationRuleException(NotificationRule.PayloadSize,
                $"payload must be at most {NotificationLimits.MaxPayload} bytes, not {bytes.Length}");
        }
        return bytes;
    }

    private static void Once<T>(T? value, string name) where T : struct
    {
        if (value.HasValue)
        {
            throw Bad($"{name} appears twice");
        }
    }

    private static NotificationRuleException Missing(string name) => Bad($"{name} is required");

    private static NotificationRuleException Bad(string message, Exception? inner = null) =>
        inner is null
            ? new NotificationRuleException(NotificationRule.Encoding, message)
            : new NotificationRuleException(NotificationRule.Encoding, message, inner);

    private static NotificationRuleException TooLarge(int length) =>
        new(NotificationRule.PayloadSize, $"a JSON notification is at most {NotificationLimits.MaxJsonSize} bytes, not {length}");
}
