using Nnrp.Core;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;

namespace Nnrp.Client.Recipients;

/// <summary>
/// Who a payment notification goes to: the recipient's X25519 notification key and the relay
/// hints its URI carries. Parsed from a NanoNym v2 address (<c>nnym_…</c>, NNRP.md §10.4) or
/// from the <c>nnrp:</c> notification URI itself (§10.3).
/// </summary>
public sealed class Recipient
{
    private readonly byte[] _key;

    private Recipient(NotificationUri uri, NanoNymAddress? address)
    {
        _key = uri.NotificationKey.ToArray();
        Uri = uri;
        Address = address;
        Tag = RecipientTag.FromNotificationKey(_key);
    }

    /// <summary>The recipient's X25519 notification public key (32 bytes).</summary>
    public ReadOnlySpan<byte> NotificationKey => _key;

    /// <summary>The mailbox the notification is addressed to.</summary>
    public RecipientTag Tag { get; }

    /// <summary>The parsed <c>nnrp:</c> URI.</summary>
    public NotificationUri Uri { get; }

    /// <summary>Relay multiaddrs the recipient suggests (tried first when sending).</summary>
    public IReadOnlyList<string> RelayHints => Uri.Relays;

    /// <summary>The NanoNym address, when the recipient was given as one.</summary>
    public NanoNymAddress? Address { get; }

    /// <summary>A recipient from a parsed notification URI.</summary>
    public static Recipient FromUri(NotificationUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new Recipient(uri, null);
    }

    /// <summary>
    /// Parses <c>nnym_…</c> or <c>nnrp:…</c> (surrounding spaces ignored).
    /// </summary>
    /// <exception cref="NotAnNnrpRecipientException">a valid address or URI that names another notification network (e.g. <c>nostr:</c>).</exception>
    /// <exception cref="NnrpFormatException">the text is neither a valid NanoNym nor a valid <c>nnrp:</c> URI.</exception>
    public static Recipient Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.StartsWith(NanoNymAddress.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            NanoNymAddress address = NanoNymAddress.Decode(text.ToLowerInvariant());
            return new Recipient(ParseUri(address.NotificationUri, "the NanoNym's notification URI"), address);
        }
        return new Recipient(ParseUri(text, "the recipient"), null);
    }

    /// <summary>Parses without throwing; <paramref name="error"/> says why on failure.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Recipient? recipient, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        recipient = null;
        error = null;
        if (text is null)
        {
            error = "no recipient given";
            return false;
        }
        try
        {
            recipient = Parse(text);
            return true;
        }
        catch (NnrpFormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static NotificationUri ParseUri(string uri, string what)
    {
        if (uri.StartsWith(NotificationUri.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return NotificationUri.Parse(uri);
        }
        int colon = uri.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && colon < 32 && uri[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            throw new NotAnNnrpRecipientException(uri[..colon].ToLowerInvariant(), what);
        }
        throw new NnrpFormatException($"{what} is neither a NanoNym address (nnym_…) nor an NNRP notification URI (nnrp:…)");
    }
}
