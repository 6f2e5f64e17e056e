using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Spec "Session termination": Go Away and how a session ends.</summary>
public class GoAwayTests
{
    [Fact]
    public async Task After_peer_go_away_open_stream_throws()
    {
        await using var pair = new SessionPair();
        await pair.Server.GoAwayAsync();
        // The go away crosses the connection before the answer to a later ping does.
        await pair.Client.PingAsync(CancellationToken.None).WaitAsync(SessionPair.Timeout);
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => pair.Client.OpenStreamAsync(CancellationToken.None).AsTask());
        Assert.Null(await pair.Client.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task After_our_go_away_open_stream_throws_and_existing_streams_continue()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync();
        await pair.Client.GoAwayAsync();
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => pair.Client.OpenStreamAsync(CancellationToken.None).AsTask());
        await PipeData.WriteAndCloseAsync(client.Output, [4, 5, 6]);
        Assert.Equal([4, 5, 6], await PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Dispose_sends_go_away_normal_and_closes_the_connection()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        await session.DisposeAsync();
        var goAway = await peer.ReadFrameAsync();
        Assert.Equal(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)YamuxGoAwayCode.Normal), goAway!.Value.Header);
        Assert.Null(await peer.ReadFrameAsync());
        await session.Completion.WaitAsync(SessionPair.Timeout);
    }

    [Fact]
    public async Task Dispose_fails_open_streams_and_accept_returns_null()
    {
        var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync();
        await pair.DisposeAsync();
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => PipeData.ReadToEndAsync(client.Input).WaitAsync(SessionPair.Timeout));
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => PipeData.ReadToEndAsync(server.Input).WaitAsync(SessionPair.Timeout));
        Assert.Null(await pair.Server.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(SessionPair.Timeout));
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => pair.Client.OpenStreamAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Go_away_with_an_error_code_ends_the_session()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        await peer.SendAsync(FrameType.GoAway, FrameFlags.None, 0, (uint)YamuxGoAwayCode.InternalError);
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Peer_closing_the_connection_ends_the_session_cleanly()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        peer.CloseOutput();
        await session.Completion.WaitAsync(SessionPair.Timeout);
        Assert.Null(await session.AcceptStreamAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Abort_ends_the_session_with_the_reason()
    {
        var (session, _) = RawPeer.Create(YamuxRole.Client);
        session.Abort(new TimeoutException("test"));
        await Assert.ThrowsAsync<TimeoutException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }
}
