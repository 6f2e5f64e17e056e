using Nnrp.Client.Recipients;
using Nnrp.Client.Work;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;
using Nnrp.Core.Work;

namespace Nnrp.Client.Sending;

/// <summary>
/// Builds what a sender publishes: the payment event sealed to the recipient (NNRP.md §7)
/// inside a notification (§3), then its proof of work (§6).
/// </summary>
public static class PaymentNotifications
{
    /// <summary>
    /// A notification carrying <paramref name="paymentEvent"/> sealed to <paramref name="recipient"/>,
    /// timestamped <paramref name="now"/>, with work 0 (see <see cref="WithWorkAsync"/>).
    /// </summary>
    public static Notification Seal(Recipient recipient, PaymentEvent paymentEvent, DateTimeOffset now, uint ttl = NotificationLimits.DefaultTtl)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(paymentEvent);
        Notification notification = NotificationSealer.SealPaymentEvent(
            recipient.NotificationKey, paymentEvent, (ulong)Math.Max(0, now.ToUnixTimeSeconds()), ttl);
        // A ttl outside 60 s … 90 days would only be refused by every node later (§3.1).
        notification.ValidateForm().ThrowIfInvalid();
        return notification;
    }

    /// <summary>
    /// <paramref name="notification"/> with work meeting <paramref name="threshold"/>; the
    /// notification is returned unchanged when its work already does.
    /// </summary>
    public static async Task<Notification> WithWorkAsync(
        Notification notification, ulong threshold, IWorkSource workSource, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(workSource);
        if (notification.MeetsThreshold(threshold))
        {
            return notification;
        }
        ulong work = await workSource.GenerateAsync(notification.Hash, threshold, progress, cancellationToken);
        Notification done = notification.WithWork(work);
        if (!done.MeetsThreshold(threshold))
        {
            throw new NnrpClientException($"the work source returned work {ProofOfWork.FormatWork(work)} below {ProofOfWork.FormatWork(threshold)}");
        }
        return done;
    }
}
