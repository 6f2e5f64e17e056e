using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Inbound stream cap, accept backlog and SYN validity.</summary>
public class StreamLimitTests
{
    [Fact]
    public async Task SYN_beyond_the_inbound_stream_cap_is_answered_with_RST()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxInboundStreams = 2 };
        var (session, peer) = RawPeer.Create(YamuxRole.Server, options);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 1, 0);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 3, 0);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 5, 0);
        FrameHeader rst = await peer.ReadUntilAsync(h => (h.Flags & FrameFlags.Rst) != 0);
        Assert.Equal(5u, rst.StreamId);
        Assert.Equal(2, session.ActiveStreamCount);
        Assert.False(session.Completion.IsCompleted);
        await session.DisposeAsync();
    }

    [Fact]
    public async Task SYN_beyond_the_accept_backlog_is_answered_with_RST()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxAcceptBacklog = 1 };
        var (session, peer) = RawPeer.Create(YamuxRole.Server, options);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 1, 0);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 3, 0);
        FrameHeader rst = await peer.ReadUntilAsync(h => (h.Flags & FrameFlags.Rst) != 0);
        Assert.Equal(3u, rst.StreamId);
        YamuxStream? first = await session.AcceptStreamAsync(CancellationToken.None);
        Assert.Equal(1u, first!.Id);
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Closed_streams_free_their_inbound_slot()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxInboundStreams = 1 };
        await using var pair = new SessionPair(options);
        for (int i = 0; i < 3; i++)
        {
            var (client, server) = await pair.OpenAsync();
            client.Reset();
            await Assert.ThrowsAsync<YamuxStreamResetException>(() => PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout));
        }
    }

    [Fact]
    public async Task SYN_with_the_wrong_parity_is_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 2, 0);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task SYN_for_an_open_stream_is_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 1, 0);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 1, 0);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Data_on_stream_zero_is_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.Data, FrameFlags.None, 0, 0);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Frames_for_unknown_streams_are_ignored()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.Data, FrameFlags.None, 41, 3, [1, 2, 3]);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Fin, 43, 10);
        await peer.SendAsync(FrameType.Ping, FrameFlags.Syn, 0, 9);
        FrameHeader pong = await peer.ReadUntilAsync(h => h.Type == FrameType.Ping && (h.Flags & FrameFlags.Ack) != 0);
        Assert.Equal(9u, pong.Length);
        Assert.False(session.Completion.IsCompleted);
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Open_waits_while_256_streams_are_unacknowledged()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        for (int i = 0; i < YamuxOptions.AckBacklog; i++)
        {
            await session.OpenStreamAsync(CancellationToken.None).AsTask().WaitAsync(SessionPair.Timeout);
        }
        ValueTask<YamuxStream> blocked = session.OpenStreamAsync(CancellationToken.None);
        Assert.False(blocked.IsCompleted);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Ack, 1, 0);
        YamuxStream next = await blocked.AsTask().WaitAsync(SessionPair.Timeout);
        Assert.Equal(2u * YamuxOptions.AckBacklog + 1, next.Id);
        await session.DisposeAsync();
    }
}
