using Nnrp.Core.Protocol;
using Nnrp.Node.Decisions;
using Nnrp.Node.Protocol;

namespace Nnrp.Node.Tests.Protocol;

/// <summary>
/// The /nnrp/1.0 door's one table (NNRP.md §11.4): every decision status has its status code,
/// and what travels with it (message, required_threshold, retry_after_seconds) follows the spec.
/// </summary>
public sealed class DecisionToStatusCodeTests
{
    public static TheoryData<DecisionStatus, StatusCode> Table => new()
    {
        { DecisionStatus.Accepted, StatusCode.Ok },
        { DecisionStatus.Duplicate, StatusCode.Duplicate },
        { DecisionStatus.BadForm, StatusCode.BadForm },
        { DecisionStatus.InsufficientWork, StatusCode.InsufficientWork },
        { DecisionStatus.Expired, StatusCode.Expired },
        { DecisionStatus.Future, StatusCode.Future },
        { DecisionStatus.OverCapacity, StatusCode.OverCapacity },
        { DecisionStatus.RateLimited, StatusCode.RateLimited },
        { DecisionStatus.Internal, StatusCode.Internal },
        { DecisionStatus.WrongShard, StatusCode.WrongShard },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_decision_status_is_answered_with_its_status_code(DecisionStatus status, StatusCode code)
    {
        Assert.Equal(code, NnrpService.Answer(new Decision(status, "why")).Status);
    }

    [Fact]
    public void The_table_names_every_decision_status()
    {
        Assert.Equal(Enum.GetValues<DecisionStatus>().ToHashSet(), Table.Select(row => (DecisionStatus)row[0]).ToHashSet());
    }

    [Fact]
    public void Insufficient_work_and_over_capacity_carry_the_threshold_that_would_pass()
    {
        Assert.Equal(0xfffff00000000000UL, NnrpService.Answer(new Decision(DecisionStatus.InsufficientWork, "short") { RequiredThreshold = 0xfffff00000000000UL }).RequiredThreshold);
        Assert.Equal(0xffffff0000000000UL, NnrpService.Answer(new Decision(DecisionStatus.OverCapacity, "full") { RequiredThreshold = 0xffffff0000000000UL }).RequiredThreshold);
        Assert.Equal(0UL, NnrpService.Answer(new Decision(DecisionStatus.Expired, "late") { RequiredThreshold = 5 }).RequiredThreshold);
    }

    [Fact]
    public void Rate_limited_and_over_capacity_carry_the_retry_hint_and_nothing_else_does()
    {
        Assert.Equal(7u, NnrpService.Answer(new Decision(DecisionStatus.RateLimited, "slow down") { RetryAfterSeconds = 7 }).RetryAfterSeconds);
        Assert.Equal(1u, NnrpService.Answer(new Decision(DecisionStatus.OverCapacity, "shed") { RetryAfterSeconds = 1 }).RetryAfterSeconds);
        Assert.Equal(0u, NnrpService.Answer(new Decision(DecisionStatus.BadForm, "bad") { RetryAfterSeconds = 3 }).RetryAfterSeconds);
    }

    [Fact]
    public void An_internal_failure_is_answered_without_the_store_text()
    {
        Response response = NnrpService.Answer(Decision.Internal("IO error: /var/lib/nnrp/store/000123.log: No space left on device"));
        Assert.Equal(StatusCode.Internal, response.Status);
        Assert.DoesNotContain("/var/lib", response.Message, StringComparison.Ordinal);
    }
}
