using Nnrp.Client.Keys;
using Nnrp.Client.Recipients;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;

namespace Nnrp.Client.Tests.Sending;

/// <summary>NNRP.md §3 and §7: the notification a sender builds.</summary>
public sealed class SealingTests
{
    [Fact]
    public void A_sealed_payment_event_opens_with_the_recipients_key_only()
    {
        Recipient recipient = Recipient.Parse(Samples.SeedNanoNym);
        var sent = new PaymentEvent(new string('a', 64), new string('b', 64), "1000000", "coffee");
        Notification n = PaymentNotifications.Seal(recipient, sent, DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));

        Assert.Equal(recipient.Tag, n.RecipientTag);
        Assert.Equal(1_767_225_600UL, n.Timestamp);
        Assert.Equal(NotificationLimits.DefaultTtl, n.Ttl);
        Assert.Equal(sent, NotificationSealer.OpenPaymentEvent(Samples.SeedKey.PrivateKey, n));
        Assert.Throws<SealingException>(() => NotificationSealer.Open(WalletKeys.Generate().PrivateKey, n));
    }

    [Fact]
    public void A_ttl_outside_the_allowed_range_is_refused_before_any_work_is_done()
    {
        Recipient recipient = Recipient.Parse(Samples.SeedUri);
        var e = Assert.Throws<NotificationRuleException>(() => PaymentNotifications.Seal(recipient, Samples.Event(), DateTimeOffset.UtcNow, ttl: 10));
        Assert.Equal(NotificationRule.TtlRange, e.Rule);
    }
}
