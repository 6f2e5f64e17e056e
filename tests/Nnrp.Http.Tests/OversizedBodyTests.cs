using System.Net.Sockets;
using System.Text;

namespace Nnrp.Http.Tests;

/// <summary>
/// NNRP.md §12.1 Sizes: a body over 8 KiB is a 413 <c>bad_form</c> that the client actually receives.
/// The node drains a bounded excess before answering so the answer is not overtaken by a reset, and
/// answers at once, without reading, a body declared beyond that allowance.
/// </summary>
public sealed class OversizedBodyTests : IAsyncLifetime
{
    private ApiFixture _api = null!;

    public async Task InitializeAsync() => _api = await ApiFixture.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_just_over_8_KiB_is_read_to_its_end_so_the_413_arrives_and_the_connection_serves_on(bool chunked)
    {
        string body = "{\"pad\": \"" + new string('a', 9000) + "\"}";
        string framing = chunked
            ? $"Transfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n"
            : $"Content-Length: {body.Length}\r\n\r\n{body}";
        byte[] oversized = Encoding.ASCII.GetBytes($"POST /v1/notifications HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n{framing}");
        byte[] next = Encoding.ASCII.GetBytes("GET /v1/work HTTP/1.1\r\nHost: node\r\n\r\n");
        (TcpClient tcp, NetworkStream stream) = await ConnectAsync();
        using (tcp)
        {
            // An answer written over unread bytes ends in a reset that may overtake it: the client sees
            // no 413 at all. A drained body leaves the connection as good as after any other answer.
            string refusal = await ExchangeAsync(stream, oversized);
            string work = await ExchangeAsync(stream, next);

            Assert.StartsWith("HTTP/1.1 413 ", refusal);
            Assert.Contains("\"reason\":\"bad_form\"", refusal);
            Assert.StartsWith("HTTP/1.1 200 ", work);
        }
    }

    [Fact]
    public async Task A_body_declared_far_beyond_the_limit_is_answered_before_any_of_it_is_sent()
    {
        byte[] request = Encoding.ASCII.GetBytes(
            "POST /v1/notifications HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
        (TcpClient tcp, NetworkStream stream) = await ConnectAsync();
        using (tcp)
        {
            string answer = await ExchangeAsync(stream, request);

            Assert.StartsWith("HTTP/1.1 413 ", answer);
        }
    }

    private async Task<(TcpClient, NetworkStream)> ConnectAsync()
    {
        var url = new Uri(_api.Api.Urls[0]);
        var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await tcp.ConnectAsync(url.Host, url.Port, timeout.Token);
        return (tcp, tcp.GetStream());
    }

    /// <summary>Writes one raw request and reads its answer to the end of the JSON body (both answers used here are JSON objects).</summary>
    private static async Task<string> ExchangeAsync(NetworkStream stream, byte[] request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(request, timeout.Token);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!answer.ToString().Contains('}', StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException ex) when (ex.InnerException is SocketException socket)
            {
                Assert.Fail($"the connection was {socket.SocketErrorCode} after: {answer}");
                throw;
            }
            Assert.True(read > 0, "the node closed the connection after: " + answer);
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return answer.ToString();
    }
}
