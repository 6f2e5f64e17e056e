using System.Buffers;
using System.IO.Pipelines;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

/// <summary>Spec "Flow Control": the sender stops at the receiver's window; a slow reader slows the writer.</summary>
public class BackpressureTests
{
    private const int Window = YamuxOptions.SpecInitialWindow;

    [Fact]
    public async Task Writer_blocks_when_the_window_is_exhausted_until_the_reader_consumes()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxWindowSize = Window };
        await using var pair = new SessionPair(options);
        var (client, server) = await pair.OpenAsync();

        byte[] data = PipeData.Pattern(4 * Window, seed: 7);
        ValueTask<FlushResult> write = client.Output.WriteAsync(data);

        // The server looks without consuming: exactly one window arrives, then nothing more.
        ReadResult seen = await ReadWithoutConsumingAsync(server.Input, Window);
        Assert.Equal(Window, seen.Buffer.Length);
        // Frames queued before the pong have landed; one byte more would have been a protocol error.
        await pair.Server.PingAsync(CancellationToken.None).WaitAsync(SessionPair.Timeout);
        Assert.False(pair.Server.Completion.IsCompleted);
        Assert.False(write.IsCompleted);

        // Consuming opens the window and the writer finishes.
        byte[] first = seen.Buffer.ToArray();
        server.Input.AdvanceTo(seen.Buffer.End);
        Task<byte[]> rest = ReadCountAsync(server.Input, data.Length - Window);
        await write.AsTask().WaitAsync(SessionPair.Timeout);
        Assert.Equal(data, first.Concat(await rest.WaitAsync(SessionPair.Timeout)));
    }

    [Fact]
    public async Task Reader_that_stops_reading_does_not_stall_the_writer()
    {
        await using var pair = new SessionPair();
        var (client, server) = await pair.OpenAsync();
        await server.Input.CompleteAsync();
        byte[] data = PipeData.Pattern(8 * Window, seed: 3);
        await PipeData.WriteAndCloseAsync(client.Output, data).WaitAsync(SessionPair.Timeout);
        await server.Output.CompleteAsync();
        Assert.Empty(await PipeData.ReadToEndAsync(client.Input).WaitAsync(SessionPair.Timeout));
        await StreamLifecycleTests.Eventually(() => pair.Client.ActiveStreamCount == 0 && pair.Server.ActiveStreamCount == 0);
    }

    [Fact]
    public async Task Data_beyond_the_window_is_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.Data, FrameFlags.Syn, 1, Window, new byte[Window]);
        await peer.SendAsync(FrameType.Data, FrameFlags.None, 1, 1, [0]);
        FrameHeader goAway = await peer.ReadUntilAsync(h => h.Type == FrameType.GoAway);
        Assert.Equal((uint)YamuxGoAwayCode.ProtocolError, goAway.Length);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Oversized_data_frame_is_refused_before_its_payload_arrives()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.Data, FrameFlags.Syn, 1, uint.MaxValue); // no payload follows
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Window_update_overflowing_32_bits_is_a_protocol_error()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.WindowUpdate, FrameFlags.Syn, 1, uint.MaxValue);
        await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(SessionPair.Timeout));
    }

    [Fact]
    public async Task Window_grows_for_a_reader_that_keeps_up()
    {
        var (session, peer) = RawPeer.Create(YamuxRole.Server);
        await peer.SendAsync(FrameType.Data, FrameFlags.Syn, 1, Window / 2, new byte[Window / 2]);
        YamuxStream? stream = await session.AcceptStreamAsync(CancellationToken.None);
        Assert.NotNull(stream);
        await ReadCountAsync(stream.Input, Window / 2);
        FrameHeader update = await peer.ReadUntilAsync(h => h.Type == FrameType.WindowUpdate && h.Length > 0);
        Assert.Equal((uint)(Window / 2 + Window), update.Length);
        await session.DisposeAsync();
    }

    private static async Task<ReadResult> ReadWithoutConsumingAsync(PipeReader reader, long until)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync().AsTask().WaitAsync(SessionPair.Timeout);
            if (result.Buffer.Length >= until || result.IsCompleted)
            {
                return result; // still held: the caller advances
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    internal static async Task<byte[]> ReadCountAsync(PipeReader reader, int count)
    {
        var data = new byte[count];
        int offset = 0;
        while (offset < count)
        {
            ReadResult result = await reader.ReadAsync();
            int n = (int)Math.Min(result.Buffer.Length, count - offset);
            result.Buffer.Slice(0, n).CopyTo(data.AsSpan(offset));
            offset += n;
            reader.AdvanceTo(result.Buffer.GetPosition(n));
            if (result.IsCompleted && offset < count)
            {
                throw new EndOfStreamException();
            }
        }
        return data;
    }
}
