using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;

namespace Nnrp.Client.Keys;

/// <summary>
/// A notification key on disk: a small JSON object, created with mode 0600 (owner only) and
/// refused on read when group or others may read it, as the node's identity key is.
/// <code>
/// {"version": 1, "private_key": "&lt;64 hex&gt;", "public_key": "&lt;64 hex&gt;",
///  "uri": "nnrp:…", "recipient_tag": "&lt;64 hex&gt;", "seed_index": 0}
/// </code>
/// Only <c>private_key</c> is trusted on read; the public key, URI and tag are written for
/// people and scripts and must agree with it. <c>seed_index</c> is present when the key was
/// derived from a seed (§9); the seed itself is never written.
/// </summary>
public sealed class NotificationKeyFile
{
    /// <summary>Format version written and accepted.</summary>
    public const int FormatVersion = 1;

    /// <summary>A key file is a few hundred bytes; anything larger is not one.</summary>
    public const int MaxSize = 4096;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>A key file's content.</summary>
    public NotificationKeyFile(NotificationKeyPair key, uint? seedIndex = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        SeedIndex = seedIndex;
    }

    /// <summary>The key pair.</summary>
    public NotificationKeyPair Key { get; }

    /// <summary>The NanoNym index the key was derived at, when it came from a seed.</summary>
    public uint? SeedIndex { get; }

    /// <summary>The <c>nnrp:</c> URI of the public key.</summary>
    public string Uri => Key.ToUri().ToString();

    /// <summary>
    /// Writes the file with mode 0600. An existing file is kept unless <paramref name="overwrite"/>
    /// (a wallet key is not something to replace by accident).
    /// </summary>
    /// <exception cref="IOException">the file exists and <paramref name="overwrite"/> is false, or the write failed.</exception>
    public async Task SaveAsync(string path, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        if (!overwrite && File.Exists(path))
        {
            throw new IOException($"{path} exists; refusing to overwrite a key file");
        }
        byte[] json = ToJson();
        string temp = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }
            await using (var stream = new FileStream(temp, options))
            {
                await stream.WriteAsync(json, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
            File.Delete(temp);
        }
    }

    /// <summary>Reads a key file, refusing one that group or others can access.</summary>
    /// <exception cref="NnrpClientException">the file is readable by others.</exception>
    /// <exception cref="NnrpFormatException">the file is not a valid key file.</exception>
    public static async Task<NotificationKeyFile> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new NnrpClientException($"{path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); run chmod 600 on it");
            }
        }
        var info = new FileInfo(path);
        if (info.Length > MaxSize)
        {
            throw new NnrpFormatException($"a key file is at most {MaxSize} bytes");
        }
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        try
        {
            return Parse(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The JSON bytes of the file (contains the private key).</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("private_key", Hex.Encode(Key.PrivateKey));
            writer.WriteString("public_key", Hex.Encode(Key.PublicKey));
            writer.WriteString("uri", Uri);
            writer.WriteString("recipient_tag", Key.Tag.ToString());
            if (SeedIndex is { } index)
            {
                writer.WriteNumber("seed_index", index);
            }
            writer.WriteEndObject();
        }
        byte[] json = buffer.WrittenSpan.ToArray();
        buffer.Clear();
        return json;
    }

    /// <summary>Parses key-file JSON and checks that the public parts agree with the private key.</summary>
    /// <exception cref="NnrpFormatException">not a valid key file.</exception>
    public static NotificationKeyFile Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxSize)
        {
            throw new NnrpFormatException($"a key file is at most {MaxSize} bytes");
        }
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray());
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new NnrpFormatException("a key file is a JSON object");
            }
            if (!root.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != FormatVersion)
            {
                throw new NnrpFormatException($"a key file has \"version\": {FormatVersion}");
            }
            byte[] privateKey = Hex.Decode(RequiredString(root, "private_key"), NotificationKeys.KeySize, "private_key");
            NotificationKeyPair key;
            try
            {
                key = NotificationKeyPair.FromPrivateKey(privateKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(privateKey);
            }
            if (root.TryGetProperty("public_key", out JsonElement pub)
                && !Hex.Encode(key.PublicKey).Equals(pub.GetString(), StringComparison.OrdinalIgnoreCase))
            {
                throw new NnrpFormatException("the key file's public_key does not belong to its private_key");
            }
            if (root.TryGetProperty("uri", out JsonElement uri)
                && (!NotificationUri.TryParse(uri.GetString(), out NotificationUri? parsed) || !parsed.NotificationKey.SequenceEqual(key.PublicKey)))
            {
                throw new NnrpFormatException("the key file's uri does not belong to its private_key");
            }
            uint? index = null;
            if (root.TryGetProperty("seed_index", out JsonElement idx))
            {
                index = idx.ValueKind == JsonValueKind.Number && idx.TryGetUInt32(out uint i) ? i
                    : throw new NnrpFormatException("seed_index is an unsigned 32-bit integer");
            }
            return new NotificationKeyFile(key, index);
        }
        catch (JsonException e)
        {
            throw new NnrpFormatException("a key file is JSON: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new NnrpFormatException("a key file field has the wrong type: " + e.Message, e);
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new NnrpFormatException($"a key file has a \"{name}\" string");
}
