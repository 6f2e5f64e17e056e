using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Node.Protocol;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Tests.Protocol;

/// <summary>NNRP.md §11.1: bad frames get BAD_FORM (when possible) and a reset; rate limits and timeouts hold.</summary>
public sealed class WireErrorTests
{
    private static async Task<Response?> SendRawAsync(Libp2pStream stream, byte[] bytes)
    {
        await stream.Output.WriteAsync(bytes);
        stream.CloseWrite();
        try
        {
            return await NnrpCodec.ReadResponseAsync(stream.Input, CancellationToken.None).AsTask().WaitAsync(NodeNetwork.Limit);
        }
        catch (IOException)
        {
            return null; // reset before or instead of an answer: allowed by §11.1
        }
    }

    [Fact]
    public async Task Oversized_request_is_refused_before_it_is_read()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        await using Libp2pStream stream = await net.OpenStreamAsync();
        byte[] prefix = new byte[10];
        int n = Varint.Write(prefix, NnrpProtocol.MaxRequestSize + 1);
        Response? r = await SendRawAsync(stream, prefix[..n]);
        Assert.True(r is null || r.Status == StatusCode.BadForm);
        Assert.NotNull(await net.Client.StatusAsync(net.NodeAddress).WaitAsync(NodeNetwork.Limit));
    }

    [Fact]
    public async Task Random_and_truncated_requests_get_BAD_FORM_or_a_reset_and_the_node_keeps_serving()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(new NnrpServiceOptions { PeerBurst = 10_000 });
        var random = new Random(11);
        for (int i = 0; i < 60; i++)
        {
            byte[] body = new byte[random.Next(0, 200)];
            random.NextBytes(body);
            byte[] framed = i % 3 == 0 ? body : [.. PrefixOf(body.Length + (i % 2)), .. body]; // raw, or short by one byte
            await using Libp2pStream stream = await net.OpenStreamAsync();
            Response? r = await SendRawAsync(stream, framed);
            Assert.True(r is null || r.Status is StatusCode.BadForm or StatusCode.Ok,
                $"case {i}: {r?.Status}");
        }
        Assert.NotNull(await net.Client.StatusAsync(net.NodeAddress).WaitAsync(NodeNetwork.Limit));
        Assert.Equal(0, net.Node.Store.Statistics.Count);
    }

    [Fact]
    public async Task Peer_over_its_rate_is_answered_RATE_LIMITED_with_a_retry_hint()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(new NnrpServiceOptions { PeerRequestsPerSecond = 0.01, PeerBurst = 2 });
        await net.Client.StatusAsync(net.NodeAddress).WaitAsync(NodeNetwork.Limit);
        await net.Client.StatusAsync(net.NodeAddress).WaitAsync(NodeNetwork.Limit);
        var ex = await Assert.ThrowsAsync<NnrpRefusedException>(() => net.Client.StatusAsync(net.NodeAddress));
        Assert.Equal(StatusCode.RateLimited, ex.Status);
        Assert.True(ex.RetryAfterSeconds >= 1);
    }

    [Fact]
    public async Task Silent_client_is_cut_off_after_the_request_timeout()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(new NnrpServiceOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await using Libp2pStream stream = await net.OpenStreamAsync();
        // Send nothing, keep the write side open: the node must end the stream on its own.
        Task<System.IO.Pipelines.ReadResult> read = ReadToEndAsync(stream);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            System.IO.Pipelines.ReadResult result = await read.WaitAsync(NodeNetwork.Limit);
            if (result.IsCompleted)
            {
                throw new IOException("closed");
            }
        });
    }

    private static async Task<System.IO.Pipelines.ReadResult> ReadToEndAsync(Libp2pStream stream)
    {
        while (true)
        {
            System.IO.Pipelines.ReadResult result = await stream.Input.ReadAsync();
            stream.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return result;
            }
        }
    }

    private static byte[] PrefixOf(int length)
    {
        byte[] prefix = new byte[10];
        int n = Varint.Write(prefix, (ulong)length);
        return prefix[..n];
    }
}
