using Nnrp.Client.Network;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Decisions;
using Nnrp.Protocol.Reasons;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Tests.Loopback;

/// <summary>
/// The wallet's HTTP reader has one table too: the shared reason words (NNRP.md §12) back to
/// the /nnrp/1.0 status codes, so a refusal reads the same whichever door a node was asked by —
/// and the words it reads are the ones a real node sends (<c>rate_limited</c> with Retry-After).
/// </summary>
public sealed class ProblemToStatusCodeTests
{
    public static TheoryData<string, StatusCode> Words => new()
    {
        { ReasonWords.Accepted, StatusCode.Ok },
        { ReasonWords.Duplicate, StatusCode.Duplicate },
        { ReasonWords.BadForm, StatusCode.BadForm },
        { ReasonWords.InsufficientWork, StatusCode.InsufficientWork },
        { ReasonWords.Expired, StatusCode.Expired },
        { ReasonWords.Future, StatusCode.Future },
        { ReasonWords.OverCapacity, StatusCode.OverCapacity },
        { ReasonWords.RateLimited, StatusCode.RateLimited },
        { ReasonWords.Internal, StatusCode.Internal },
        // Not a refusal a wallet can act on: read as the node's failure.
        { ReasonWords.NotFound, StatusCode.Internal },
        { "a word from a newer node", StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Words))]
    public void Each_reason_word_reads_as_its_status_code(string word, StatusCode status)
    {
        Assert.Equal(status, ReasonWords.ToStatusCode(word));
    }

    [Fact]
    public async Task A_real_node_over_its_http_rate_is_read_as_rate_limited_with_its_retry_hint()
    {
        await using LoopbackNodes nodes = await LoopbackNodes.StartWithHttpAsync(1);
        nodes.Node(0).RateRules.Set(OriginKind.HttpClient, new RateRule(0.01, 1));
        using var http = new HttpClient();
        var transport = new HttpNodeTransport(http);
        NodeAddress node = NodeAddress.Parse(nodes.HttpUrl(0));
        Notification n = Samples.Sealed(Samples.SeedKey, Samples.Event(1));

        PublishReply first = await transport.PublishAsync(node, n, CancellationToken.None).WaitAsync(LoopbackNodes.Limit);
        PublishReply limited = await transport.PublishAsync(node, n, CancellationToken.None).WaitAsync(LoopbackNodes.Limit);

        Assert.NotEqual(StatusCode.RateLimited, first.Status);
        Assert.Equal(StatusCode.RateLimited, limited.Status);
        Assert.True(limited.RetryAfterSeconds >= 50, $"retry after {limited.RetryAfterSeconds} s");
    }
}
