using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;

namespace Nnrp.Client.Mailbox;

/// <summary>A notification as one node returned it.</summary>
/// <param name="Notification">The decoded notification.</param>
/// <param name="Source">Which node returned it (a peer id or URL), for reports.</param>
public sealed record FetchedNotification(Notification Notification, string Source);

/// <summary>A notification that was verified and opened.</summary>
/// <param name="Hash">Its content hash (recomputed here, never taken from a node).</param>
/// <param name="Timestamp">Its timestamp, unix seconds.</param>
/// <param name="Event">The payment event inside.</param>
/// <param name="Sources">Every node that returned it.</param>
public sealed record OpenedNotification(NotificationHash Hash, ulong Timestamp, PaymentEvent Event, IReadOnlyList<string> Sources);

/// <summary>Why a fetched notification addressed to us was not delivered.</summary>
public enum RejectionReason
{
    /// <summary>Breaks a form rule (version, ttl range, payload size; NNRP.md §3.1).</summary>
    InvalidForm,

    /// <summary>Its work is below the network's floor (§6): it should never have been stored.</summary>
    InsufficientWork,

    /// <summary>The payload does not open with our key: tampered, or sealed to another key with a colliding tag (§7).</summary>
    Undecryptable,

    /// <summary>It opens, but the plaintext is not a valid payment event (§7.1).</summary>
    InvalidPaymentEvent,
}

/// <summary>A notification addressed to us that could not be delivered, and why.</summary>
/// <param name="Hash">Its content hash.</param>
/// <param name="Timestamp">Its timestamp, unix seconds.</param>
/// <param name="Reason">The rule it broke.</param>
/// <param name="Message">What exactly was wrong.</param>
/// <param name="Sources">Every node that returned it.</param>
public sealed record RejectedNotification(NotificationHash Hash, ulong Timestamp, RejectionReason Reason, string Message, IReadOnlyList<string> Sources);

/// <summary>The outcome of opening a merged mailbox: payments, refusals, and how much was someone else's.</summary>
/// <param name="Opened">Verified, opened, new notifications, ordered by (timestamp, hash).</param>
/// <param name="Rejected">Notifications for our tag that failed a check, ordered by (timestamp, hash).</param>
/// <param name="OtherTags">Distinct notifications for other tags (a prefix fetch returns the neighbours' mail too).</param>
/// <param name="AlreadySeen">Distinct notifications skipped because an earlier fetch (the checkpoint) had them.</param>
public sealed record MailboxContents(
    IReadOnlyList<OpenedNotification> Opened,
    IReadOnlyList<RejectedNotification> Rejected,
    int OtherTags,
    int AlreadySeen);
