using System.Buffers;
using System.Text.Json;
using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Client.Mailbox;

/// <summary>
/// Where the last complete fetch of one key's mailbox ended, so the next asks only for what
/// is new. A notification can reach a node well after its timestamp (the sender stamps it
/// before computing work; sync between nodes lags), so the next fetch starts
/// <see cref="DefaultOverlap"/> before the last one and the hashes already delivered in that
/// overlap are remembered and skipped.
/// <code>
/// {"version": 1, "recipient_tag": "&lt;64 hex&gt;", "since": &lt;unix s&gt;, "seen": {"&lt;hash hex&gt;": &lt;timestamp&gt;, …}}
/// </code>
/// </summary>
public sealed class FetchCheckpoint
{
    /// <summary>Format version written and accepted.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// How far before the previous fetch the next one starts: the 600 s future window of §5
    /// plus the time a slow sender may spend on work and nodes on sync.
    /// </summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(1);

    /// <summary>Remembered hashes are bounded so a flooded mailbox cannot grow the file without end.</summary>
    public const int MaxSeen = 100_000;

    /// <summary>A checkpoint file is bounded accordingly (≈ 80 bytes per remembered hash).</summary>
    public const int MaxFileSize = (MaxSeen * 80) + 4096;

    private readonly Dictionary<NotificationHash, ulong> _seen;

    private FetchCheckpoint(RecipientTag tag, ulong since, Dictionary<NotificationHash, ulong> seen)
    {
        Tag = tag;
        Since = since;
        _seen = seen;
    }

    /// <summary>The mailbox this checkpoint belongs to.</summary>
    public RecipientTag Tag { get; }

    /// <summary>The <c>since</c> of the next fetch (unix seconds); 0 = everything.</summary>
    public ulong Since { get; }

    /// <summary>Hashes delivered (opened or reported) with timestamp ≥ <see cref="Since"/>.</summary>
    public IReadOnlySet<NotificationHash> Seen => _seen.Keys.ToHashSet();

    /// <summary>A fresh checkpoint: the next fetch asks for everything.</summary>
    public static FetchCheckpoint Start(RecipientTag tag) => new(tag, 0, []);

    /// <summary>
    /// The checkpoint after a complete fetch (every page of every node) that started at
    /// <paramref name="fetchStartedAt"/> and delivered <paramref name="contents"/>.
    /// </summary>
    public FetchCheckpoint Advance(MailboxContents contents, DateTimeOffset fetchStartedAt, TimeSpan? overlap = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        long start = fetchStartedAt.ToUnixTimeSeconds() - (long)(overlap ?? DefaultOverlap).TotalSeconds;
        ulong since = Math.Max(Since, (ulong)Math.Max(0, start));
        var seen = new Dictionary<NotificationHash, ulong>(_seen);
        foreach (OpenedNotification o in contents.Opened)
        {
            seen[o.Hash] = o.Timestamp;
        }
        foreach (RejectedNotification r in contents.Rejected)
        {
            seen[r.Hash] = r.Timestamp;
        }
        var kept = seen.Where(kv => kv.Value >= since)
            .OrderByDescending(kv => kv.Value)
            .Take(MaxSeen)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        return new FetchCheckpoint(Tag, since, kept);
    }

    /// <summary>Reads the checkpoint of <paramref name="tag"/> from <paramref name="path"/>; a missing file is a fresh start.</summary>
    /// <exception cref="NnrpFormatException">the file is malformed or belongs to another key.</exception>
    public static async Task<FetchCheckpoint> LoadAsync(string path, RecipientTag tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return Start(tag);
        }
        if (new FileInfo(path).Length > MaxFileSize)
        {
            throw new NnrpFormatException($"a checkpoint file is at most {MaxFileSize} bytes");
        }
        FetchCheckpoint checkpoint = Parse(await File.ReadAllBytesAsync(path, cancellationToken));
        if (checkpoint.Tag != tag)
        {
            throw new NnrpFormatException($"{path} is the checkpoint of mailbox {checkpoint.Tag}, not {tag}");
        }
        return checkpoint;
    }

    /// <summary>Writes the checkpoint atomically (a crash leaves the old one or the new one).</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp";
        await File.WriteAllBytesAsync(temp, ToJson(), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The JSON bytes.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("recipient_tag", Tag.ToString());
            writer.WriteNumber("since", Since);
            writer.WriteStartObject("seen");
            foreach ((NotificationHash hash, ulong timestamp) in _seen.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key))
            {
                writer.WriteNumber(hash.ToString(), timestamp);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses checkpoint JSON.</summary>
    /// <exception cref="NnrpFormatException">malformed.</exception>
    public static FetchCheckpoint Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray());
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out JsonElement version) || !version.TryGetInt32(out int v) || v != FormatVersion)
            {
                throw new NnrpFormatException($"a checkpoint is a JSON object with \"version\": {FormatVersion}");
            }
            RecipientTag tag = RecipientTag.Parse(root.GetProperty("recipient_tag").GetString());
            ulong since = root.GetProperty("since").GetUInt64();
            var seen = new Dictionary<NotificationHash, ulong>();
            foreach (JsonProperty entry in root.GetProperty("seen").EnumerateObject())
            {
                if (seen.Count == MaxSeen)
                {
                    break;
                }
                seen[NotificationHash.Parse(entry.Name)] = entry.Value.GetUInt64();
            }
            return new FetchCheckpoint(tag, since, seen);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new NnrpFormatException("a checkpoint file is malformed: " + e.Message, e);
        }
    }
}
