using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Spec "Ping": SYN asks, ACK echoes the opaque value; keep-alive ends a silent session.</summary>
public class PingTests
{
    [Fact]
    public async Task Ping_returns_the_round_trip_time()
    {
        await using var pair = new SessionPair();
        TimeSpan rtt = await pair.Client.PingAsync(CancellationToken.None).WaitAsync(SessionPair.Timeout);
        Assert.True(rtt > TimeSpan.Zero && rtt < SessionPair.Timeout);
        await pair.Server.PingAsync(CancellationToken.None).WaitAsync(SessionPair.Timeout);
    }

    [Fact]
    public async Task Ping_is_answered_with_ACK_and_the_same_opaque_value()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Client);
        await peer.SendAsync(FrameType.Ping, FrameFlags.Syn, 0, 0xabcdef);
        var pong = await peer.ReadFrameAsync(skipPings: false);
        Assert.Equal(new FrameHeader(FrameType.Ping, FrameFlags.Ack, 0, 0xabcdef), pong!.Value.Header);
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Keep_alive_pings_the_peer()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(20) };
        var (session, peer) = RawPeer.Create(YamuxRole.Client, options);
        FrameHeader ping = await peer.ReadUntilAsync(h => h.Type == FrameType.Ping);
        Assert.Equal(FrameFlags.Syn, ping.Flags);
        await peer.SendAsync(FrameType.Ping, FrameFlags.Ack, 0, ping.Length);
        await peer.ReadUntilAsync(h => h.Type == FrameType.Ping && h.Length != ping.Length);
        Assert.False(session.Completion.IsCompleted);
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Unanswered_keep_alive_ends_the_session()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(20), PingTimeout = TimeSpan.FromMilliseconds(100) };
        var (session, _) = RawPeer.Create(YamuxRole.Client, options);
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Ping_flood_without_reading_the_answers_ends_the_session()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        var flood = new byte[FrameHeader.Size * 4 * YamuxSession.MaxQueuedControlFrames];
        for (int i = 0; i < flood.Length; i += FrameHeader.Size)
        {
            FrameCodec.Write(flood.AsSpan(i), new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, (uint)i));
        }
        // The raw peer never reads, so pongs pile up once the in-memory connection is full.
        for (int round = 0; round < 100 && !session.Completion.IsCompleted; round++)
        {
            await peer.SendRawAsync(flood).WaitAsync(SessionPair.Timeout);
        }
        await Assert.ThrowsAnyAsync<IOException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }
}
