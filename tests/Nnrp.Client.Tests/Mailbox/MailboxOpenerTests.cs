using Nnrp.Client.Keys;
using Nnrp.Client.Mailbox;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;

namespace Nnrp.Client.Tests.Mailbox;

/// <summary>Merging what several nodes returned: dedupe, verify, open, report the bad separately.</summary>
public sealed class MailboxOpenerTests
{
    private readonly Nnrp.Core.Keys.NotificationKeyPair _key = Samples.SeedKey;

    [Fact]
    public void Copies_from_several_nodes_are_merged_by_hash_and_opened_once()
    {
        Notification a = Samples.Sealed(_key, Samples.Event(1), 100);
        Notification b = Samples.Sealed(_key, Samples.Event(2), 50);
        MailboxContents contents = MailboxOpener.Open(
            [new(a, "n1"), new(b, "n1"), new(a, "n2"), new(a, "n3")], _key, Samples.EasyThreshold);

        Assert.Equal(2, contents.Opened.Count);
        Assert.Equal([b.Hash, a.Hash], contents.Opened.Select(o => o.Hash)); // ordered by timestamp
        Assert.Equal(["n1", "n2", "n3"], contents.Opened[1].Sources);
        Assert.Equal(Samples.Event(1), contents.Opened[1].Event);
        Assert.Empty(contents.Rejected);
    }

    [Fact]
    public void Notifications_for_other_tags_from_a_prefix_fetch_are_counted_not_opened()
    {
        Notification mine = Samples.Sealed(_key, Samples.Event(1));
        Notification theirs = Samples.Sealed(WalletKeys.Generate(), Samples.Event(2));
        MailboxContents contents = MailboxOpener.Open([new(mine, "n1"), new(theirs, "n1"), new(theirs, "n2")], _key, Samples.EasyThreshold);
        Assert.Single(contents.Opened);
        Assert.Equal(1, contents.OtherTags);
        Assert.Empty(contents.Rejected);
    }

    [Fact]
    public void A_tampered_payload_is_reported_and_the_rest_is_still_delivered()
    {
        Notification good = Samples.Sealed(_key, Samples.Event(1));
        byte[] payload = good.Payload.ToArray();
        payload[^1] ^= 0x01;
        // A node that tampers must also redo the work, or the work check catches it first.
        Notification tampered = Samples.WithEasyWork(new Notification(1, good.RecipientTag, good.Timestamp, good.Ttl, payload, 0));

        MailboxContents contents = MailboxOpener.Open([new(tampered, "evil"), new(good, "honest")], _key, Samples.EasyThreshold);

        Assert.Equal(good.Hash, Assert.Single(contents.Opened).Hash);
        RejectedNotification bad = Assert.Single(contents.Rejected);
        Assert.Equal(RejectionReason.Undecryptable, bad.Reason);
        Assert.Equal(["evil"], bad.Sources);
    }

    [Fact]
    public void A_copy_without_enough_work_is_rejected_unless_another_copy_has_it()
    {
        Notification good = Samples.Sealed(_key, Samples.Event(1));
        Notification cheap = good.WithWork(FindFailingWork(good));

        MailboxContents onlyCheap = MailboxOpener.Open([new(cheap, "n1")], _key, Samples.EasyThreshold);
        Assert.Equal(RejectionReason.InsufficientWork, Assert.Single(onlyCheap.Rejected).Reason);

        MailboxContents both = MailboxOpener.Open([new(cheap, "n1"), new(good, "n2")], _key, Samples.EasyThreshold);
        Assert.Single(both.Opened);
        Assert.Empty(both.Rejected);
    }

    [Fact]
    public void A_payload_that_opens_to_an_invalid_payment_event_is_reported()
    {
        byte[] payload = NotificationSealer.Seal(_key.PublicKey, _key.Tag, 100, NotificationLimits.DefaultTtl, "{\"version\":2,\"protocol\":\"nanonym\"}"u8);
        Notification n = Samples.WithEasyWork(new Notification(1, _key.Tag, 100, NotificationLimits.DefaultTtl, payload, 0));
        RejectedNotification bad = Assert.Single(MailboxOpener.Open([new(n, "n1")], _key, Samples.EasyThreshold).Rejected);
        Assert.Equal(RejectionReason.InvalidPaymentEvent, bad.Reason);
        Assert.Contains("tx_hash", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_notification_breaking_a_form_rule_is_reported()
    {
        Notification good = Samples.Sealed(_key, Samples.Event(1));
        Notification badTtl = Samples.WithEasyWork(new Notification(1, good.RecipientTag, good.Timestamp, 5, good.Payload.Span, 0));
        Assert.Equal(RejectionReason.InvalidForm, Assert.Single(MailboxOpener.Open([new(badTtl, "n1")], _key, Samples.EasyThreshold).Rejected).Reason);
    }

    [Fact]
    public void Hashes_an_earlier_fetch_delivered_are_skipped()
    {
        Notification a = Samples.Sealed(_key, Samples.Event(1));
        Notification b = Samples.Sealed(_key, Samples.Event(2));
        MailboxContents contents = MailboxOpener.Open([new(a, "n1"), new(b, "n1")], _key, Samples.EasyThreshold, new HashSet<NotificationHash> { a.Hash });
        Assert.Equal(b.Hash, Assert.Single(contents.Opened).Hash);
        Assert.Equal(1, contents.AlreadySeen);
    }

    [Fact]
    public void Random_payloads_for_our_tag_are_all_reported_never_thrown()
    {
        var random = new Random(5);
        var fetched = new List<FetchedNotification>();
        for (int i = 0; i < 200; i++)
        {
            byte[] payload = new byte[random.Next(0, 300)];
            random.NextBytes(payload);
            fetched.Add(new(Samples.WithEasyWork(new Notification(1, _key.Tag, (ulong)i, NotificationLimits.DefaultTtl, payload, 0)), "fuzz"));
        }
        MailboxContents contents = MailboxOpener.Open(fetched, _key, Samples.EasyThreshold);
        Assert.Empty(contents.Opened);
        Assert.Equal(fetched.Select(f => f.Notification.Hash).Distinct().Count(), contents.Rejected.Count);
    }

    private static ulong FindFailingWork(Notification n)
    {
        for (ulong w = 0; ; w++)
        {
            if (!n.WithWork(w).MeetsThreshold(Samples.EasyThreshold))
            {
                return w;
            }
        }
    }
}
