using System.Buffers;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Spec "Opening a stream" and "Closing a stream": SYN/ACK, FIN half-close, stream ids.</summary>
public class StreamLifecycleTests
{
    [Fact]
    public async Task Open_sends_SYN_and_accept_answers_ACK()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        YamuxStream stream = await session.OpenStreamAsync(CancellationToken.None);
        var syn = await peer.ReadFrameAsync();
        Assert.Equal(FrameFlags.Syn, syn!.Value.Header.Flags);
        Assert.Equal(stream.Id, syn.Value.Header.StreamId);

        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 2, 0);
        YamuxStream? inbound = await session.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(SessionPair.Timeout);
        Assert.NotNull(inbound);
        Assert.Equal(2u, inbound.Id);
        var ack = await peer.ReadFrameAsync();
        Assert.Equal(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Ack, 2, 0), ack!.Value.Header);
        await session.DisposeAsync();
    }

    [Fact]
    public async Task FIN_travels_on_its_own_frame_after_the_last_data()
    {
        // js-libp2p yamux acts on FIN before the payload of the same frame, so data+FIN in
        // one frame would lose the data there; go-yamux also sends FIN alone.
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        YamuxStream stream = await session.OpenStreamAsync(CancellationToken.None);
        await stream.Output.WriteAsync(new byte[1000]);
        stream.Output.Complete();

        var frames = new List<FrameHeader>();
        while (frames.Count == 0 || (frames[^1].Flags & FrameFlags.Fin) == 0)
        {
            var frame = await peer.ReadFrameAsync().WaitAsync(SessionPair.Timeout);
            frames.Add(frame!.Value.Header);
        }

        FrameHeader fin = frames[^1];
        Assert.Equal(FrameType.WindowUpdate, fin.Type);
        Assert.Equal(0u, fin.Length);
        Assert.Equal(1000L, frames.Where(f => f.Type == FrameType.Data).Sum(f => (long)f.Length));
        Assert.All(frames.Where(f => f.Type == FrameType.Data), f => Assert.Equal(FrameFlags.None, f.Flags & FrameFlags.Fin));
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Client_uses_odd_ids_and_server_even_ids()
    {
        await using var pair = new SessionPair();
        YamuxStream c1 = await pair.Client.OpenStreamAsync(CancellationToken.None);
        YamuxStream c2 = await pair.Client.OpenStreamAsync(CancellationToken.None);
        YamuxStream s1 = await pair.Server.OpenStreamAsync(CancellationToken.None);
        Assert.Equal([1u, 3u, 2u], new[] { c1.Id, c2.Id, s1.Id });
    }

    [Fact]
    public async Task Data_can_follow_SYN_before_the_ACK()
    {
        await using var pair = new SessionPair();
        var (_, server) = await pair.OpenAsync("hello"u8.ToArray());
        var result = await server.Input.ReadAtLeastAsync(5).AsTask().WaitAsync(SessionPair.Timeout);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(result.Buffer.ToArray()));
    }

    [Fact]
    public async Task FIN_half_closes_and_the_other_direction_still_works()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync();
        await PipeData.WriteAndCloseAsync(client.Output, "request"u8.ToArray());
        byte[] request = await PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout);
        Assert.Equal("request", System.Text.Encoding.ASCII.GetString(request));

        await PipeData.WriteAndCloseAsync(server.Output, "response"u8.ToArray());
        byte[] response = await PipeData.ReadToEndAsync(client.Input).WaitAsync(SessionPair.Timeout);
        Assert.Equal("response", System.Text.Encoding.ASCII.GetString(response));
    }

    [Fact]
    public async Task Stream_is_forgotten_once_both_sides_sent_FIN()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync();
        Assert.Equal(1, pair.Client.ActiveStreamCount);
        await client.Output.CompleteAsync();
        await PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout);
        await server.Output.CompleteAsync();
        await PipeData.ReadToEndAsync(client.Input).WaitAsync(SessionPair.Timeout);
        await Eventually(() => pair.Client.ActiveStreamCount == 0 && pair.Server.ActiveStreamCount == 0);
    }

    [Fact]
    public async Task Larger_initial_window_is_announced_with_the_SYN()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, InitialWindowSize = 1024 * 1024 };
        var (session, peer) = RawPeer.Create(YamuxRole.Client, options);
        await session.OpenStreamAsync(CancellationToken.None);
        var syn = await peer.ReadFrameAsync();
        Assert.Equal(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Syn, 1, 1024 * 1024 - YamuxOptions.SpecInitialWindow), syn!.Value.Header);
        await session.DisposeAsync();
    }

    /// <summary>Waits for a state reached asynchronously (a frame still crossing the pipe); no fixed sleep.</summary>
    internal static async Task Eventually(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(SessionPair.Timeout);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
