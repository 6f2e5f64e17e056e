using System.Security.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Protocol;
using StatusCode = Nnrp.Core.Protocol.StatusCode;
using Xunit.Abstractions;
using Nnrp.Protocol.Requests;
using static Nnrp.Adversary.Tests.StoreScenarioNode;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 8: recipient tags are public. A griefer sends a victim's full mailbox
/// hundreds of notifications that pass the base price but lose to what it holds; NNRP.md §6.3
/// counts only what the node accepted, so the honest sender's price does not move.
/// </summary>
public sealed class MailboxGriefingScenario(ITestOutputHelper output)
{
    private const int TagCap = 4;
    private const int Griefs = 400;

    [Fact]
    public async Task Refused_submissions_do_not_raise_the_price_of_a_victims_mailbox()
    {
        await using StoreScenarioNode node = await StartAsync("--per-tag-cap", "4");
        RecipientTag victim = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32));
        for (int i = 0; i < TagCap; i++)
        {
            Assert.Equal(StatusCode.Ok, (await node.PublishAsync(Make(victim, NotificationLimits.MaxTtl, AtMultiple(4), AtMultiple(6)))).Status);
        }

        // Base work, less than the mailbox holds: every one is refused. Had the refusals counted
        // toward n, the tag's price would climb past base work and the rest be insufficient_work.
        int refused = 0, priced = 0;
        ulong highestAsked = Base;
        for (int i = 0; i < Griefs; i++)
        {
            PublishResult r = await node.PublishAsync(Make(victim, NotificationLimits.MaxTtl, Base, AtMultiple(4) - 1));
            refused += r.Status == StatusCode.OverCapacity ? 1 : 0;
            if (r.Status == StatusCode.InsufficientWork)
            {
                priced++;
                highestAsked = Math.Max(highestAsked, r.RequiredThreshold);
            }
        }
        output.WriteLine($"griefer: {Griefs} at base work ({Griefs * Hashes(Base):0} hashes): {refused} over_capacity, " +
            $"{priced} insufficient_work; the tag's price rose to {Multiple(highestAsked):0.##}× base");
        Assert.Equal(0, priced);
        Assert.Equal(Griefs, refused);

        // The honest sender out-pays what the mailbox holds, at the base escalation.
        Notification honest = Make(victim, NotificationLimits.MaxTtl, AtMultiple(8), AtMultiple(12));
        PublishResult result = await node.PublishAsync(honest);
        output.WriteLine($"honest sender at 8–12× base: {result.Status} (required {(result.RequiredThreshold == 0 ? 0 : Multiple(result.RequiredThreshold)):0.#}× base)");
        Assert.Equal(StatusCode.Ok, result.Status);
        Assert.True(await node.HasAsync(honest));
    }
}
