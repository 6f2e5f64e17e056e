using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// The opening handshake of RFC 6455 §4: an HTTP/1.1 GET with <c>Upgrade: websocket</c>
/// answered by <c>101 Switching Protocols</c>. One codec for both roles; no subprotocol and
/// no extension is ever offered or accepted (libp2p/specs websockets: the stream is raw
/// binary, the libp2p upgrade runs inside it).
/// </summary>
internal static class UpgradeHandshake
{
    /// <summary>
    /// Request or response head (start line, headers, blank line) a side buffers at most;
    /// a browser's upgrade request is well under 2 KiB. Larger is refused before it is read.
    /// </summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>Header lines a head may carry.</summary>
    public const int MaxHeaderCount = 64;

    /// <summary>RFC 6455 §4.1: the only version this side speaks.</summary>
    public const string Version = "13";

    /// <summary>RFC 6455 §1.3: appended to the client's key before hashing.</summary>
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static readonly byte[] s_endOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary>A parsed head: the start line and the header fields in order.</summary>
    public sealed record Head(string StartLine, IReadOnlyList<KeyValuePair<string, string>> Headers)
    {
        public string? Get(string name)
        {
            foreach (KeyValuePair<string, string> h in Headers)
            {
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return h.Value;
                }
            }
            return null;
        }

        /// <summary>Whether a comma-separated header contains <paramref name="token"/> (case-insensitive).</summary>
        public bool HasToken(string name, string token)
        {
            foreach (KeyValuePair<string, string> h in Headers)
            {
                if (!string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                foreach (string part in h.Value.Split(','))
                {
                    if (string.Equals(part.Trim(), token, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /// <summary>A fresh <c>Sec-WebSocket-Key</c>: 16 random bytes in base64 (RFC 6455 §4.1 item 7).</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary><c>Sec-WebSocket-Accept</c> = base64(SHA-1(key ‖ GUID)) (RFC 6455 §4.2.2 item 5.4).</summary>
    public static string AcceptFor(string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 here; it proves the server read the key, nothing secret rides on it.
        SHA1.HashData(System.Text.Encoding.ASCII.GetBytes(key + AcceptGuid), hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    public static byte[] Request(string hostHeader, string key) => System.Text.Encoding.ASCII.GetBytes(
        "GET / HTTP/1.1\r\n" +
        "Host: " + hostHeader + "\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: " + key + "\r\n" +
        "Sec-WebSocket-Version: " + Version + "\r\n\r\n");

    public static byte[] SwitchingProtocols(string key) => System.Text.Encoding.ASCII.GetBytes(
        "HTTP/1.1 101 Switching Protocols\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: " + AcceptFor(key) + "\r\n\r\n");

    /// <summary>The answer to a request that is not a usable upgrade; the connection closes after it.</summary>
    public static byte[] Refusal(int status, string reason)
    {
        string body = reason + "\n";
        string extra = status == 426 ? "Upgrade: websocket\r\nSec-WebSocket-Version: " + Version + "\r\n" : string.Empty;
        return System.Text.Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n" +
            extra +
            "Connection: close\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n" +
            body);
    }

    /// <summary>
    /// Takes one head off the front of <paramref name="buffer"/>: false while the blank line
    /// has not arrived (and the head is still within <see cref="MaxHeadBytes"/>); throws
    /// <see cref="WebSocketUpgradeException"/> (status 400, or 431 when too large) for a
    /// malformed head.
    /// </summary>
    public static bool TryReadHead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out Head? head)
    {
        head = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, s_endOfHead, advancePastDelimiter: true))
        {
            if (buffer.Length >= MaxHeadBytes)
            {
                Fail(431, $"HTTP head larger than {MaxHeadBytes} bytes");
            }
            return false;
        }
        if (raw.Length + s_endOfHead.Length > MaxHeadBytes)
        {
            Fail(431, $"HTTP head larger than {MaxHeadBytes} bytes");
        }
        head = Parse(raw);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    /// <summary>
    /// Server side (RFC 6455 §4.2.1): checks the request and returns the client's key, or
    /// throws <see cref="WebSocketUpgradeException"/> with the status to answer: 400 for a
    /// malformed upgrade, 426 for a plain HTTP request or another WebSocket version.
    /// </summary>
    public static string ValidateRequest(Head request)
    {
        string[] parts = request.StartLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/", StringComparison.Ordinal) || parts[1].Length == 0)
        {
            Fail(400, "malformed request line");
        }
        if (parts[2] != "HTTP/1.1")
        {
            Fail(400, $"{parts[2]} is not HTTP/1.1");
        }
        if (parts[0] != "GET")
        {
            Fail(426, $"{parts[0]} is not a WebSocket upgrade; this port speaks libp2p over WebSocket only");
        }
        if (!request.HasToken("Upgrade", "websocket") || !request.HasToken("Connection", "Upgrade"))
        {
            Fail(426, "not a WebSocket upgrade (Upgrade: websocket and Connection: Upgrade required); this port speaks libp2p over WebSocket only");
        }
        if (request.Get("Host") is null)
        {
            Fail(400, "no Host header");
        }
        if (request.Get("Sec-WebSocket-Version")?.Trim() != Version)
        {
            Fail(426, "only WebSocket version 13 is supported");
        }
        string? key = request.Get("Sec-WebSocket-Key")?.Trim();
        if (!IsValidKey(key))
        {
            Fail(400, "Sec-WebSocket-Key is not 16 bytes in base64");
        }
        return key;
    }

    /// <summary>Client side (RFC 6455 §4.1 items 1–6 of the response checks).</summary>
    public static void ValidateResponse(Head response, string key)
    {
        string[] parts = response.StartLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            Fail(0, "malformed status line");
        }
        if (parts[1] != "101")
        {
            Fail(0, $"the server answered {parts[1]}{(parts.Length > 2 ? " " + parts[2] : string.Empty)} instead of 101 Switching Protocols");
        }
        if (!response.HasToken("Upgrade", "websocket") || !response.HasToken("Connection", "Upgrade"))
        {
            Fail(0, "101 response without Upgrade: websocket and Connection: Upgrade");
        }
        if (response.Get("Sec-WebSocket-Accept")?.Trim() != AcceptFor(key))
        {
            Fail(0, "Sec-WebSocket-Accept does not match the key sent");
        }
        if (response.Get("Sec-WebSocket-Extensions") is not null || response.Get("Sec-WebSocket-Protocol") is not null)
        {
            Fail(0, "the server chose an extension or subprotocol that was not offered");
        }
    }

    private static bool IsValidKey([NotNullWhen(true)] string? key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key is { Length: 24 } && Convert.TryFromBase64String(key, decoded, out int written) && written == 16;
    }

    private static Head Parse(ReadOnlySequence<byte> raw)
    {
        byte[] bytes = raw.ToArray();
        foreach (byte b in bytes)
        {
            // RFC 9110 §5.5: no NUL or bare control characters in a head; refuse non-ASCII too.
            if (b is (< 0x20 and not (byte)'\r' and not (byte)'\n' and not (byte)'\t') or >= 0x7F)
            {
                Fail(400, "control or non-ASCII byte in the HTTP head");
            }
        }
        string[] lines = System.Text.Encoding.ASCII.GetString(bytes).Split("\r\n");
        if (Array.Exists(lines, static l => l.Contains('\n', StringComparison.Ordinal)))
        {
            Fail(400, "bare LF in the HTTP head");
        }
        if (lines.Length - 1 > MaxHeaderCount)
        {
            Fail(431, $"more than {MaxHeaderCount} header lines");
        }
        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            // RFC 9112 §5.2: obsolete line folding (a line starting with whitespace) is refused.
            if (colon <= 0 || line[0] is ' ' or '\t' || line.AsSpan(0, colon).ContainsAny(" \t"))
            {
                Fail(400, "malformed header line");
            }
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
        return new Head(lines[0], headers);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    };

    [DoesNotReturn]
    private static void Fail(int status, string message) => throw new WebSocketUpgradeException(status, message);
}
