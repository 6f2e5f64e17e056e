using System.Net;
using System.Text;
using Nnrp.Client.Network;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core.Notifications;

namespace Nnrp.Client.Tests.Network;

/// <summary>Whatever an HTTP node answers, the transport gives an I/O error or a refusal — never a crash or a hang.</summary>
public sealed class HttpAnswerFuzzTests
{
    private static readonly NodeAddress Node = NodeAddress.Parse("http://127.0.0.1:9/");

    [Fact]
    public async Task Random_truncated_and_malformed_answers_are_io_errors_or_refusals()
    {
        var random = new Random(21);
        Notification n = Samples.Sealed(Samples.SeedKey, Samples.Event(1));
        string valid = "{\"hash\":\"" + n.Hash + "\",\"receipt\":{\"hash\":\"" + n.Hash + "\",\"expires_at\":1,\"node_public_key\":\"00\",\"signature\":\"00\"}}";
        string page = "{\"notifications\":[" + NotificationJson.Serialize(n) + "],\"next_cursor\":\"AAE\"}";
        for (int i = 0; i < 300; i++)
        {
            string body = (i % 4) switch
            {
                0 => valid[..random.Next(valid.Length)],
                1 => page[..random.Next(page.Length)],
                2 => "{\"notifications\":[{\"version\":" + random.Next() + "}],\"receipt\":" + random.Next() + "}",
                _ => Encoding.Latin1.GetString(Enumerable.Range(0, random.Next(64)).Select(_ => (byte)random.Next(256)).ToArray()),
            };
            var status = (HttpStatusCode)(i % 3 == 0 ? 422 : 200);
            var transport = new HttpNodeTransport(new HttpClient(new Fixed(status, body)));
            await Expect(() => transport.PublishAsync(Node, n, CancellationToken.None));
            await Expect(() => transport.FetchAsync(Node, FetchQuery.ForTag(n.RecipientTag), CancellationToken.None));
            await Expect(() => transport.StatusAsync(Node, CancellationToken.None));
        }
    }

    private static async Task Expect(Func<Task> call)
    {
        try
        {
            await call().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException)
        {
            // NodeRefusedException and MalformedAnswerException are IOExceptions: the node's fault, reported.
        }
    }

    private sealed class Fixed(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
