using System.Net;
using System.Text.Json;
using Nnrp.Core.Protocol;
using Nnrp.Node.Decisions;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Reasons;

namespace Nnrp.Http.Tests;

/// <summary>
/// The HTTP door's one table (NNRP.md §12): every decision status has its HTTP status and
/// problem reason, and the reason word reads back (as a wallet's HTTP transport reads it) as the
/// status code /nnrp/1.0 answers for the same decision — one vocabulary over both doors.
/// </summary>
public sealed class DecisionToProblemTests
{
    public static TheoryData<DecisionStatus, int, string> Table => new()
    {
        { DecisionStatus.Accepted, 202, "accepted" },
        { DecisionStatus.Duplicate, 200, "duplicate" },
        { DecisionStatus.BadForm, 400, "bad_form" },
        { DecisionStatus.InsufficientWork, 422, "insufficient_work" },
        { DecisionStatus.Expired, 422, "expired" },
        { DecisionStatus.Future, 422, "future" },
        { DecisionStatus.OverCapacity, 503, "over_capacity" },
        { DecisionStatus.RateLimited, 429, "rate_limited" },
        { DecisionStatus.Internal, 500, "internal" },
        { DecisionStatus.WrongShard, 421, "wrong_shard" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_decision_status_is_answered_with_its_http_status_and_reason(DecisionStatus status, int http, string reason)
    {
        Assert.Equal((http, reason), Problems.Of(new Decision(status, "why")));
    }

    [Fact]
    public void The_table_names_every_decision_status()
    {
        Assert.Equal(Enum.GetValues<DecisionStatus>().ToHashSet(), Table.Select(row => (DecisionStatus)row[0]).ToHashSet());
    }

    [Fact]
    public void A_prefix_too_wide_is_400_over_capacity_so_the_wallet_narrows_it()
    {
        Assert.Equal((400, ReasonWords.OverCapacity), Problems.Of(new Decision(DecisionStatus.OverCapacity, "wide") { MinPrefixBits = 8 }));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_reason_word_reads_back_as_the_status_code_of_the_other_door(DecisionStatus status, int http, string reason)
    {
        _ = http;
        var decision = new Decision(status, "why");
        Assert.Equal(NnrpService.Answer(decision).Status, ReasonWords.ToStatusCode(reason));
    }

    [Fact]
    public async Task Over_its_rate_a_client_reads_rate_limited_with_the_retry_hint_the_node_decided()
    {
        await using var api = await ApiFixture.StartAsync();
        // The door reads the node's rule on every request: tightened here, it applies at once.
        api.Node.RateRules.Set(OriginKind.HttpClient, new RateRule(0.01, 1));

        using HttpResponseMessage first = await api.Client.GetAsync("/v1/status");
        using HttpResponseMessage limited = await api.Client.GetAsync("/v1/status");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using JsonDocument problem = await NotificationApiTests.ProblemOf(limited, HttpStatusCode.TooManyRequests, ReasonWords.RateLimited);
        Assert.Equal(StatusCode.RateLimited, ReasonWords.ToStatusCode(problem.RootElement.GetProperty("reason").GetString()));
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(50), $"Retry-After: {limited.Headers.RetryAfter}");
    }
}
