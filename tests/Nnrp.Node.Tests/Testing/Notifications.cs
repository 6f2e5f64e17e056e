using System.Security.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Node.Tests.Testing;

/// <summary>Test notifications with cheap, chosen work.</summary>
public static class Notifications
{
    /// <summary>A base threshold of 1/16: work found in a handful of hashes.</summary>
    public const ulong CheapBase = 0xf000000000000000UL;

    public static readonly WorkPolicy CheapPolicy = new() { BaseThreshold = CheapBase };

    /// <summary>Every work value passes.</summary>
    public static readonly WorkPolicy FreePolicy = new() { BaseThreshold = 0 };

    public static RecipientTag RandomTag() => RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32));

    public static RecipientTag TagStartingWith(params byte[] prefix)
    {
        byte[] bytes = RandomNumberGenerator.GetBytes(32);
        prefix.CopyTo(bytes, 0);
        return RecipientTag.FromBytes(bytes);
    }

    public static Notification Make(RecipientTag? tag = null, long timestamp = 1_767_225_600, uint ttl = NotificationLimits.DefaultTtl, int payloadSize = 80, ulong work = 0) =>
        new(1, tag ?? RandomTag(), (ulong)timestamp, ttl, RandomNumberGenerator.GetBytes(payloadSize), work);

    /// <summary>
    /// The same notification with the first work from <paramref name="firstWork"/> whose value is in
    /// [min, max]. Start at 1 where sizes must match: protobuf omits work 0, 9 bytes shorter.
    /// </summary>
    public static Notification WithWorkValue(Notification n, ulong min, ulong max = ulong.MaxValue, ulong firstWork = 0)
    {
        for (ulong work = firstWork; ; work++)
        {
            Notification candidate = n.WithWork(work);
            ulong value = candidate.WorkValue;
            if (value >= min && value <= max)
            {
                return candidate;
            }
        }
    }
}
