using System.Net;
using System.Text;
using System.Text.Json;
using Nnrp.Client.Sending;
using Nnrp.Client.Tests.Testing;
using Nnrp.Client.Work;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Client.Tests.Work;

/// <summary>NNRP.md §6: work from this machine or from a Nano work server.</summary>
public sealed class WorkSourceTests
{
    private static readonly Notification Unworked =
        Nnrp.Core.Sealing.NotificationSealer.SealPaymentEvent(Samples.SeedKey.PublicKey, Samples.Event(), 1_767_225_600);

    [Fact]
    public async Task Local_work_meets_the_threshold_and_reports_progress()
    {
        var reports = new List<WorkProgress>();
        var progress = new SynchronousProgress(reports);
        Notification worked = await PaymentNotifications.WithWorkAsync(
            Unworked, Samples.EasyThreshold, new LocalWorkSource(new WorkGeneratorOptions { Threads = 1 }), progress)
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(worked.MeetsThreshold(Samples.EasyThreshold));
        Assert.Equal(Unworked.Hash, worked.Hash);
        Assert.NotEmpty(reports);
    }

    [Fact]
    public async Task Work_already_meeting_the_threshold_is_kept()
    {
        Notification worked = Samples.WithEasyWork(Unworked);
        Notification again = await PaymentNotifications.WithWorkAsync(worked, Samples.EasyThreshold, new ThrowingSource());
        Assert.Same(worked, again);
    }

    [Fact]
    public async Task A_work_server_is_asked_with_work_generate_for_the_content_hash_and_threshold()
    {
        string? body = null;
        var server = new FakeWorkServer(request =>
        {
            body = request;
            using JsonDocument doc = JsonDocument.Parse(request);
            byte[] root = Convert.FromHexString(doc.RootElement.GetProperty("hash").GetString()!);
            ulong threshold = ProofOfWork.ParseWork(doc.RootElement.GetProperty("difficulty").GetString());
            WorkGenerator.TrySearch(root, threshold, 0, 1 << 20, WorkPath.Scalar, out ulong work, out _);
            return (HttpStatusCode.OK, $"{{\"work\":\"{ProofOfWork.FormatWork(work)}\",\"difficulty\":\"ff\",\"multiplier\":\"1\"}}");
        });
        var source = new WorkServerClient(new HttpClient(server), new Uri("http://127.0.0.1:7076"));

        Notification worked = await PaymentNotifications.WithWorkAsync(Unworked, Samples.EasyThreshold, source);

        Assert.True(worked.MeetsThreshold(Samples.EasyThreshold));
        using JsonDocument sent = JsonDocument.Parse(body!);
        Assert.Equal("work_generate", sent.RootElement.GetProperty("action").GetString());
        Assert.Equal(Unworked.Hash.ToString(), sent.RootElement.GetProperty("hash").GetString()!.ToLowerInvariant());
        Assert.Equal("ff00000000000000", sent.RootElement.GetProperty("difficulty").GetString());
    }

    [Theory]
    [InlineData(200, "{\"error\":\"Work generation is disabled\"}", "disabled")]
    [InlineData(500, "oops", "HTTP 500")]
    [InlineData(200, "{\"work\":\"xyz\"}", "16-hex-digit")]
    [InlineData(200, "not json", "16-hex-digit")]
    [InlineData(200, "{\"work\":\"0000000000000000\"}", "does not meet")]
    public async Task A_failing_or_lying_work_server_gives_a_clear_error(int status, string answer, string expected)
    {
        var source = new WorkServerClient(new HttpClient(new FakeWorkServer(_ => ((HttpStatusCode)status, answer))), new Uri("http://127.0.0.1:7076"));
        // Threshold max: work 0 cannot meet it, so "does not meet" is certain.
        var e = await Assert.ThrowsAsync<NnrpClientException>(() => source.GenerateAsync(Unworked.Hash, ulong.MaxValue, null, CancellationToken.None));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_work_server_is_an_operation_error()
    {
        var source = new WorkServerClient(new HttpClient(new FakeWorkServer(_ => throw new HttpRequestException("connection refused"))), new Uri("http://127.0.0.1:1"));
        var e = await Assert.ThrowsAsync<NnrpClientException>(() => source.GenerateAsync(Unworked.Hash, Samples.EasyThreshold, null, CancellationToken.None));
        Assert.Contains("unreachable", e.Message, StringComparison.Ordinal);
    }

    private sealed class FakeWorkServer(Func<string, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = await request.Content!.ReadAsStringAsync(cancellationToken);
            (HttpStatusCode status, string text) = answer(body);
            return new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        }
    }

    private sealed class ThrowingSource : IWorkSource
    {
        public Task<ulong> GenerateAsync(NotificationHash hash, ulong threshold, IProgress<WorkProgress>? progress, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("must not be asked");
    }

    private sealed class SynchronousProgress(List<WorkProgress> reports) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
