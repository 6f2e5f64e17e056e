namespace Nnrp.Core.Notifications;

/// <summary>The limits of NNRP.md §3.1 and §5, each next to the rule it enforces.</summary>
public static class NotificationLimits
{
    /// <summary>§3.1: the only notification version.</summary>
    public const uint Version = 1;

    /// <summary>§3.1: recipient tags are 32 bytes.</summary>
    public const int RecipientTagSize = 32;

    /// <summary>§3.1: shortest lifetime, one minute.</summary>
    public const uint MinTtl = 60;

    /// <summary>§3.1: longest lifetime, 90 days.</summary>
    public const uint MaxTtl = 7_776_000;

    /// <summary>§3.1: lifetime a sender uses unless told otherwise, 90 days.</summary>
    public const uint DefaultTtl = MaxTtl;

    /// <summary>§3.1: sealed payload bytes (enc 32 ‖ ciphertext).</summary>
    public const int MaxPayload = 2048;

    /// <summary>§5: how far ahead of the receiver's clock a timestamp may be, in seconds.</summary>
    public const long MaxFutureSkew = 600;

    /// <summary>
    /// §3.4: largest protobuf encoding of a notification accepted for decoding. The largest
    /// valid one is 2117 bytes (6 + 34 + 11 + 6 + 2051 + 9); the rest is slack for fields
    /// of later versions.
    /// </summary>
    public const int MaxEncodedSize = 2304;

    /// <summary>§12: largest JSON form accepted (base64 payload is 2732 characters).</summary>
    public const int MaxJsonSize = 8192;
}
