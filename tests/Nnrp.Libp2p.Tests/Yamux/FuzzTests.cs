using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Random, truncated and oversized input ends the session with a typed error: no crash, no hang.</summary>
public class FuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Random_bytes_end_the_session_with_a_typed_error(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 40; round++)
        {
            var (session, peer) = RawPeer.Create(random.Next(2) == 0 ? YamuxRole.Client : YamuxRole.Server);
            var bytes = new byte[random.Next(1, 600)];
            random.NextBytes(bytes);
            // Plausible prefixes reach deeper than pure noise: version 0 and a known type.
            bytes[0] = 0;
            bytes[1] = (byte)random.Next(5);
            await peer.SendRawAsync(bytes);
            peer.CloseOutput();
            Exception? error = await Record.ExceptionAsync(() => session.Completion.WaitAsync(SessionPair.Timeout));
            Assert.True(error is null or IOException, $"unexpected {error}");
            await session.DisposeAsync();
        }
    }

    [Fact]
    public async Task Truncated_frame_ends_the_session_with_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendRawAsync([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 100, 1, 2, 3]);
        peer.CloseOutput();
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Truncated_header_ends_the_session_with_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendRawAsync([0, 2, 0]);
        peer.CloseOutput();
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Invalid_version_is_answered_with_go_away_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendRawAsync([7, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        var goAway = await peer.ReadFrameAsync();
        Assert.Equal(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)YamuxGoAwayCode.ProtocolError), goAway!.Value.Header);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Oversized_frames_on_unknown_streams_end_the_session()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.Data, FrameFlags.None, 77, 64 * 1024 * 1024);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Valid_frames_in_random_order_never_crash_the_session()
    {
        var random = new Random(42);
        for (int round = 0; round < 30; round++)
        {
            var (session, peer) = RawPeer.Create(YamuxRole.Server);
            for (int i = 0; i < 50; i++)
            {
                var type = (FrameType)random.Next(4);
                var flags = (FrameFlags)random.Next(16);
                uint id = (uint)random.Next(0, 8);
                uint length = type == FrameType.Data ? (uint)random.Next(0, 64) : (uint)random.Next(0, 3);
                await peer.SendAsync(type, flags, id, length, type == FrameType.Data ? new byte[length] : null);
            }
            peer.CloseOutput();
            Exception? error = await Record.ExceptionAsync(() => session.Completion.WaitAsync(SessionPair.Timeout));
            Assert.True(error is null or IOException, $"unexpected {error}");
            await session.DisposeAsync();
        }
    }
}
