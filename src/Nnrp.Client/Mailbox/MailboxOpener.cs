using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;
using Nnrp.Core.Work;

namespace Nnrp.Client.Mailbox;

/// <summary>
/// Turns what several nodes returned into payments: drops other tags (prefix fetches),
/// merges copies by content hash, checks form and work, opens each payload with the key and
/// validates the payment event. A bad item is reported in <see cref="MailboxContents.Rejected"/>
/// and never stops the rest: one lying node must not hide the honest nodes' notifications.
/// </summary>
public static class MailboxOpener
{
    /// <summary>
    /// Opens every notification in <paramref name="fetched"/> addressed to <paramref name="key"/>.
    /// </summary>
    /// <param name="fetched">Everything the nodes returned, duplicates included.</param>
    /// <param name="key">The recipient's notification key pair.</param>
    /// <param name="minimumWork">The work floor (NNRP.md §6.2: the base threshold; nodes may only raise it).</param>
    /// <param name="alreadySeen">Hashes an earlier fetch delivered (see <see cref="FetchCheckpoint"/>); skipped.</param>
    public static MailboxContents Open(
        IEnumerable<FetchedNotification> fetched,
        NotificationKeyPair key,
        ulong minimumWork = Thresholds.Base,
        IReadOnlySet<NotificationHash>? alreadySeen = null)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        ArgumentNullException.ThrowIfNull(key);
        RecipientTag tag = key.Tag;
        var copies = new Dictionary<NotificationHash, List<FetchedNotification>>();
        var others = new HashSet<NotificationHash>();
        foreach (FetchedNotification item in fetched)
        {
            NotificationHash hash = item.Notification.Hash;
            if (item.Notification.RecipientTag != tag)
            {
                others.Add(hash);
                continue;
            }
            if (!copies.TryGetValue(hash, out List<FetchedNotification>? list))
            {
                copies[hash] = list = [];
            }
            list.Add(item);
        }

        var opened = new List<OpenedNotification>();
        var rejected = new List<RejectedNotification>();
        int seen = 0;
        foreach ((NotificationHash hash, List<FetchedNotification> list) in copies)
        {
            if (alreadySeen?.Contains(hash) == true)
            {
                seen++;
                continue;
            }
            string[] sources = list.Select(c => c.Source).Distinct(StringComparer.Ordinal).ToArray();
            // Copies share every hashed field; only the work may differ. Any copy with enough
            // work proves the notification was paid for.
            Notification notification = list.Select(c => c.Notification).FirstOrDefault(n => n.MeetsThreshold(minimumWork)) ?? list[0].Notification;
            ulong timestamp = notification.Timestamp;
            NotificationValidation form = notification.ValidateForm();
            if (!form.IsValid)
            {
                rejected.Add(new(hash, timestamp, RejectionReason.InvalidForm, form.Message, sources));
                continue;
            }
            if (!notification.MeetsThreshold(minimumWork))
            {
                rejected.Add(new(hash, timestamp, RejectionReason.InsufficientWork,
                    $"work value {notification.WorkValue:x16} is below {minimumWork:x16}", sources));
                continue;
            }
            byte[] plaintext;
            try
            {
                plaintext = NotificationSealer.Open(key.PrivateKey, notification);
            }
            catch (SealingException e)
            {
                rejected.Add(new(hash, timestamp, RejectionReason.Undecryptable, e.Message, sources));
                continue;
            }
            try
            {
                opened.Add(new(hash, timestamp, PaymentEvent.Parse(plaintext), sources));
            }
            catch (NnrpFormatException e)
            {
                rejected.Add(new(hash, timestamp, RejectionReason.InvalidPaymentEvent, e.Message, sources));
            }
        }
        opened.Sort((a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Hash.CompareTo(b.Hash));
        rejected.Sort((a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Hash.CompareTo(b.Hash));
        return new MailboxContents(opened, rejected, others.Count, seen);
    }
}
