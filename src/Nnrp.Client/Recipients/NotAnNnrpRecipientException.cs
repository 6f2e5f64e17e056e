using Nnrp.Core;

namespace Nnrp.Client.Recipients;

/// <summary>
/// The recipient is well formed but receives its notifications elsewhere (a NanoNym whose
/// notification URI is <c>nostr:</c>, say): there is nothing to send over NNRP.
/// </summary>
public sealed class NotAnNnrpRecipientException : NnrpFormatException
{
    /// <summary>A recipient using <paramref name="scheme"/>.</summary>
    public NotAnNnrpRecipientException(string scheme, string what)
        : base($"not an NNRP recipient: {what} uses the {scheme}: scheme, not nnrp:") => Scheme = scheme;

    /// <summary>The URI scheme the recipient uses instead (without the colon).</summary>
    public string Scheme { get; }
}
