using System.Text;
using Nnrp.Core.Keys;

namespace Nnrp.Core.Codecs;

/// <summary>
/// The notification destination a NanoNym v2 address carries for NNRP (NNRP.md §10):
/// <code>
///   nnrp:&lt;52 Nano base32 chars of the X25519 key&gt;[?relay=&lt;multiaddr&gt;[&amp;relay=&lt;multiaddr&gt;…]]
///   nnrp:3xk…9q?relay=/dns4/relay.example/tcp/4001/p2p/12D3KooW…
/// </code>
/// The scheme is case-insensitive (RFC 3986 §3.1) and written lowercase. Relay hints are
/// multiaddr strings (starting with '/'), percent-decoded on read; characters outside the
/// query set and '&amp;', '=', '#', '%' are percent-encoded on write. Parameters other than
/// <c>relay</c> are ignored (reserved for later versions).
/// </summary>
public sealed class NotificationUri
{
    /// <summary>URI scheme, with its colon.</summary>
    public const string Scheme = "nnrp:";

    /// <summary>At most this many relay hints.</summary>
    public const int MaxRelays = 8;

    /// <summary>A relay hint is at most this many characters (decoded).</summary>
    public const int MaxRelayLength = 512;

    /// <summary>A whole URI is at most this many characters.</summary>
    public const int MaxLength = 8192;

    private readonly byte[] _key;

    /// <summary>A URI for the 32-byte X25519 <paramref name="notificationKey"/> with optional relay hints.</summary>
    public NotificationUri(ReadOnlySpan<byte> notificationKey, IReadOnlyList<string> relays)
    {
        ArgumentNullException.ThrowIfNull(relays);
        if (notificationKey.Length != NotificationKeys.KeySize)
        {
            throw new NnrpFormatException($"a notification key is {NotificationKeys.KeySize} bytes, not {notificationKey.Length}");
        }
        if (relays.Count > MaxRelays)
        {
            throw new NnrpFormatException($"a notification URI carries at most {MaxRelays} relay hints");
        }
        foreach (string relay in relays)
        {
            CheckRelay(relay);
        }
        _key = notificationKey.ToArray();
        Relays = [.. relays];
    }

    /// <summary>The recipient's X25519 public key (32 bytes).</summary>
    public ReadOnlySpan<byte> NotificationKey => _key;

    /// <summary>Relay multiaddrs the recipient suggests, in order.</summary>
    public IReadOnlyList<string> Relays { get; }

    /// <summary>The recipient tag of the key.</summary>
    public RecipientTag Tag => RecipientTag.FromNotificationKey(_key);

    /// <summary>Parses an <c>nnrp:</c> URI.</summary>
    public static NotificationUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new NnrpFormatException($"a notification URI is at most {MaxLength} characters");
        }
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new NnrpFormatException("a notification URI starts with nnrp:");
        }
        ReadOnlySpan<char> rest = text.AsSpan(Scheme.Length);
        int query = rest.IndexOf('?');
        ReadOnlySpan<char> body = query < 0 ? rest : rest[..query];
        if (body.IndexOf('#') >= 0)
        {
            throw new NnrpFormatException("a notification URI has no fragment");
        }
        Span<byte> key = stackalloc byte[NotificationKeys.KeySize];
        if (!NanoBase32.TryDecodeLeading(body, key))
        {
            throw new NnrpFormatException("the key of a notification URI is 52 Nano base32 characters starting with 1 or 3");
        }
        var relays = new List<string>();
        if (query >= 0)
        {
            ReadOnlySpan<char> q = rest[(query + 1)..];
            if (q.IndexOf('#') >= 0)
            {
                throw new NnrpFormatException("a notification URI has no fragment");
            }
            foreach (Range part in q.Split('&'))
            {
                ReadOnlySpan<char> pair = q[part];
                if (pair.IsEmpty)
                {
                    continue;
                }
                int eq = pair.IndexOf('=');
                ReadOnlySpan<char> name = eq < 0 ? pair : pair[..eq];
                if (!name.SequenceEqual("relay"))
                {
                    continue; // unknown parameters are reserved and ignored
                }
                if (eq < 0)
                {
                    throw new NnrpFormatException("relay= needs a multiaddr value");
                }
                string value = PercentDecode(pair[(eq + 1)..]);
                if (relays.Count == MaxRelays)
                {
                    throw new NnrpFormatException($"a notification URI carries at most {MaxRelays} relay hints");
                }
                relays.Add(value);
            }
        }
        return new NotificationUri(key, relays);
    }

    /// <summary>Parses without throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NotificationUri? uri)
    {
        uri = null;
        if (text is null)
        {
            return false;
        }
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (NnrpFormatException)
        {
            return false;
        }
    }

    /// <summary>The canonical text form.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Scheme).Append(NanoBase32.EncodeLeading(_key));
        for (int i = 0; i < Relays.Count; i++)
        {
            text.Append(i == 0 ? '?' : '&').Append("relay=");
            AppendEscaped(text, Relays[i]);
        }
        return text.ToString();
    }

    private static void CheckRelay(string relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (relay.Length == 0 || relay[0] != '/')
        {
            throw new NnrpFormatException("a relay hint is a multiaddr starting with '/'");
        }
        if (relay.Length > MaxRelayLength)
        {
            throw new NnrpFormatException($"a relay hint is at most {MaxRelayLength} characters");
        }
        foreach (char c in relay)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw new NnrpFormatException("a relay hint has no spaces or control characters");
            }
        }
    }

    // RFC 3986 §3.4: query = *( pchar / "/" / "?" ); '&', '=' and '#' are kept as delimiters
    // and '%' starts an escape, so those and every non-ASCII byte are percent-encoded.
    private static void AppendEscaped(StringBuilder text, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && IsQueryChar((char)rune.Value))
            {
                text.Append((char)rune.Value);
                continue;
            }
            int n = rune.EncodeToUtf8(utf8);
            for (int i = 0; i < n; i++)
            {
                text.Append('%').Append(Hex.Encode(utf8.Slice(i, 1)).ToUpperInvariant());
            }
        }
    }

    // RFC 3986 §2.1: '%' is followed by exactly two hex digits; the bytes are UTF-8.
    private static string PercentDecode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length];
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length
                    || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    throw new NnrpFormatException("a relay hint has a '%' not followed by two hex digits");
                }
                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c < 128)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                throw new NnrpFormatException("a relay hint is ASCII, with other characters percent-encoded");
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException e)
        {
            throw new NnrpFormatException("a percent-encoded relay hint is not UTF-8", e);
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsQueryChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '!' or '$' or '\'' or '(' or ')'
            or '*' or '+' or ',' or ';' or ':' or '@' or '/' or '?';
}
