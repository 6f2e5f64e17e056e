using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Bulk and concurrent transfers arrive intact.</summary>
public class TransferTests
{
    [Fact]
    public async Task Thirty_two_MiB_cross_one_stream_both_ways_intact()
    {
        await using var pair = new SessionPair(pipeThreshold: 64 * 1024);
        var (client, server) = await pair.OpenAsync();
        byte[] up = PipeData.Pattern(32 * 1024 * 1024, seed: 1);
        byte[] down = PipeData.Pattern(32 * 1024 * 1024, seed: 2);

        Task sendUp = PipeData.WriteAndCloseAsync(client.Output, up, chunk: 100_000);
        Task sendDown = PipeData.WriteAndCloseAsync(server.Output, down, chunk: 1 << 20);
        Task<byte[]> receivedUp = PipeData.ReadToEndAsync(server.Input);
        Task<byte[]> receivedDown = PipeData.ReadToEndAsync(client.Input);
        await Task.WhenAll(sendUp, sendDown, receivedUp, receivedDown).WaitAsync(TimeSpan.FromSeconds(120));

        byte[] gotUp = await receivedUp;
        byte[] gotDown = await receivedDown;
        Assert.True(up.AsSpan().SequenceEqual(gotUp));
        Assert.True(down.AsSpan().SequenceEqual(gotDown));
    }

    [Fact]
    public async Task Hundred_concurrent_streams_of_64_KiB_arrive_intact()
    {
        await using var pair = new SessionPair(pipeThreshold: 64 * 1024);
        const int Streams = 100;
        const int Size = 64 * 1024;

        Task server = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (int i = 0; i < Streams; i++)
            {
                YamuxStream? stream = await pair.Server.AcceptStreamAsync(CancellationToken.None);
                Assert.NotNull(stream);
                echoes.Add(Task.Run(async () =>
                {
                    byte[] request = await PipeData.ReadToEndAsync(stream.Input);
                    await PipeData.WriteAndCloseAsync(stream.Output, request, chunk: 10_000);
                }));
            }
            await Task.WhenAll(echoes);
        });

        var clients = Enumerable.Range(0, Streams).Select(i => Task.Run(async () =>
        {
            byte[] data = PipeData.Pattern(Size, seed: 100 + i);
            YamuxStream stream = await pair.Client.OpenStreamAsync(CancellationToken.None);
            Task<byte[]> echo = PipeData.ReadToEndAsync(stream.Input);
            await PipeData.WriteAndCloseAsync(stream.Output, data, chunk: 7_000);
            Assert.Equal(data, await echo);
        })).ToList();

        await Task.WhenAll(clients.Append(server)).WaitAsync(TimeSpan.FromSeconds(60));
        await StreamLifecycleTests.Eventually(() => pair.Client.ActiveStreamCount == 0 && pair.Server.ActiveStreamCount == 0);
    }
}
