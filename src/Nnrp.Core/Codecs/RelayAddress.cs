using Nnrp.Core.Notifications;

namespace Nnrp.Core.Codecs;

/// <summary>
/// The text form of a notification's content hash (NNRP.md §3.3):
/// <c>nr_</c> + Nano base32 of the 32-byte hash, leading-padded as Nano writes account keys
/// (52 characters, the first always '1' or '3'). No checksum: the hash is itself checked
/// by whoever fetches the notification it names.
/// </summary>
public static class RelayAddress
{
    /// <summary>Prefix of every relay address.</summary>
    public const string Prefix = "nr_";

    /// <summary>Total characters: 3 prefix + 52 base32.</summary>
    public const int Length = 55;

    /// <summary>The <c>nr_</c> address of <paramref name="hash"/>.</summary>
    public static string Encode(NotificationHash hash)
    {
        Span<byte> bytes = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(bytes);
        return Prefix + NanoBase32.EncodeLeading(bytes);
    }

    /// <summary>Parses an <c>nr_</c> address.</summary>
    public static NotificationHash Decode(ReadOnlySpan<char> address)
    {
        if (!TryDecode(address, out NotificationHash hash, out string? error))
        {
            throw new NnrpFormatException(error);
        }
        return hash;
    }

    /// <summary>Parses an <c>nr_</c> address; on failure <paramref name="error"/> names the rule.</summary>
    public static bool TryDecode(ReadOnlySpan<char> address, out NotificationHash hash, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        hash = default;
        if (!address.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = "a relay address starts with nr_";
            return false;
        }
        if (address.Length != Length)
        {
            error = $"a relay address is {Length} characters, not {address.Length}";
            return false;
        }
        Span<byte> bytes = stackalloc byte[NotificationHash.Size];
        if (!NanoBase32.TryDecodeLeading(address[Prefix.Length..], bytes))
        {
            error = "a relay address is nr_ + 52 Nano base32 characters starting with 1 or 3";
            return false;
        }
        hash = NotificationHash.FromBytes(bytes);
        error = null;
        return true;
    }
}
