using Nnrp.Libp2p.GossipSub;
using Nnrp.Node.Decisions;
using Nnrp.Node.Gossip;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Gossip;

/// <summary>
/// The gossip door's one table (NNRP.md §14.3): Reject only what every honest node finds
/// invalid (bad form, work below the network base threshold), Ignore what local state or the
/// local clock priced, Accept what the node stored.
/// </summary>
public sealed class DecisionToVerdictTests
{
    public static TheoryData<DecisionStatus, ulong?, ValidationResult> Verdicts => new()
    {
        { DecisionStatus.Accepted, null, ValidationResult.Accept },
        // Invalid on every honest node: P4 for the sender.
        { DecisionStatus.BadForm, null, ValidationResult.Reject },
        { DecisionStatus.InsufficientWork, Notifications.CheapBase - 1, ValidationResult.Reject },
        { DecisionStatus.InsufficientWork, 0, ValidationResult.Reject },
        // Priced by local state (per-tag escalation, load) or not computed: Ignore.
        { DecisionStatus.InsufficientWork, Notifications.CheapBase, ValidationResult.Ignore },
        { DecisionStatus.InsufficientWork, null, ValidationResult.Ignore },
        { DecisionStatus.OverCapacity, null, ValidationResult.Ignore },
        // The local clock.
        { DecisionStatus.Expired, null, ValidationResult.Ignore },
        { DecisionStatus.Future, null, ValidationResult.Ignore },
        // Nobody's fault (a rate rule is this node's state too).
        { DecisionStatus.Duplicate, null, ValidationResult.Ignore },
        { DecisionStatus.RateLimited, null, ValidationResult.Ignore },
        { DecisionStatus.Internal, null, ValidationResult.Ignore },
        { DecisionStatus.WrongShard, null, ValidationResult.Ignore },
    };

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void Each_gate_status_maps_to_the_verdict_every_honest_node_agrees_on(DecisionStatus status, ulong? workValue, ValidationResult verdict)
    {
        var result = new Decision(status, "test") { WorkValue = workValue };

        Assert.Equal(verdict, NotificationGossip.Verdict(result, Notifications.CheapBase));
    }

    [Fact]
    public void Every_gate_status_has_a_verdict_in_the_table()
    {
        Assert.Equal(Enum.GetValues<DecisionStatus>().ToHashSet(), Verdicts.Select(row => (DecisionStatus)row[0]).ToHashSet());
    }
}
