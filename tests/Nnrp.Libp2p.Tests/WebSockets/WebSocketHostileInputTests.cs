using System.Diagnostics;
using System.Net.Sockets;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.WebSockets;
using static Nnrp.Libp2p.Tests.WebSockets.WebSocketTestSupport;

namespace Nnrp.Libp2p.Tests.WebSockets;

/// <summary>What a listener does with peers that are not well-behaved WebSocket clients: an answer, a close, nothing more.</summary>
public sealed class WebSocketHostileInputTests
{
    private static async Task<(ITransportListener Listener, Task<ITransportConnection> Accepted)> ListenAsync(TimeSpan? upgradeTimeout = null)
    {
        var options = new WebSocketTransportOptions { UpgradeTimeout = upgradeTimeout ?? TimeSpan.FromSeconds(5) };
        ITransportListener listener = await NewTransport(options).ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws"), CancellationToken.None);
        return (listener, AcceptStartedAsync(listener));
    }

    /// <summary>The accepted connection's input ends with an error (the upgrade or framing failed).</summary>
    private static async Task<Exception> InputFailsAsync(ITransportConnection connection)
    {
        while (true)
        {
            try
            {
                var read = await connection.Input.ReadAsync().AsTask().WaitAsync(Generous);
                connection.Input.AdvanceTo(read.Buffer.End);
                Assert.False(read.IsCompleted, "the input ended without an error");
            }
            catch (IOException e)
            {
                return e;
            }
        }
    }

    [Theory]
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "HTTP/1.1 426 ")]
    [InlineData("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 426 ")]
    [InlineData("\u0013/multistream/1.0.0\n\r\n\r\n", "HTTP/1.1 400 ")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", "HTTP/1.1 400 ")]
    public async Task A_request_that_is_no_websocket_upgrade_gets_an_http_error_and_a_close(string request, string status)
    {
        (ITransportListener listener, Task<ITransportConnection> accepted) = await ListenAsync();
        await using (listener)
        {
            using Socket raw = await RawConnectAsync(PortOf(listener));
            await raw.SendAsync(System.Text.Encoding.Latin1.GetBytes(request), SocketFlags.None);
            string answer = Ascii(await ReadToEndAsync(raw));
            Assert.StartsWith(status, answer, StringComparison.Ordinal);
            Assert.Contains("Connection: close", answer, StringComparison.Ordinal);
            await using ITransportConnection connection = await accepted.WaitAsync(Generous);
            Assert.IsType<WebSocketUpgradeException>(await InputFailsAsync(connection));
        }
    }

    [Fact]
    public async Task An_endless_header_is_cut_off_at_the_size_limit_with_431()
    {
        (ITransportListener listener, Task<ITransportConnection> accepted) = await ListenAsync();
        await using (listener)
        {
            using Socket raw = await RawConnectAsync(PortOf(listener));
            byte[] junk = System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX-Filler: " + new string('a', 4 * UpgradeHandshake.MaxHeadBytes));
            try
            {
                await raw.SendAsync(junk, SocketFlags.None);
            }
            catch (SocketException)
            {
                // The server may close before it took everything.
            }
            Assert.StartsWith("HTTP/1.1 431 ", Ascii(await ReadToEndAsync(raw)), StringComparison.Ordinal);
            await (await accepted.WaitAsync(Generous)).DisposeAsync();
        }
    }

    [Fact]
    public async Task A_trickled_request_is_closed_when_the_upgrade_time_runs_out()
    {
        TimeSpan limit = TimeSpan.FromMilliseconds(600);
        (ITransportListener listener, Task<ITransportConnection> accepted) = await ListenAsync(limit);
        await using (listener)
        {
            using Socket raw = await RawConnectAsync(PortOf(listener));
            var clock = Stopwatch.StartNew();
            await raw.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray(), SocketFlags.None);
            // Never the blank line: the slowloris pattern. The server closes without an answer.
            Assert.Empty(await ReadToEndAsync(raw));
            Assert.True(clock.Elapsed >= limit * 0.9, $"closed after {clock.Elapsed}, before the upgrade limit");
            await using ITransportConnection connection = await accepted.WaitAsync(Generous);
            Assert.Contains("no WebSocket upgrade within", (await InputFailsAsync(connection)).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(false, 0x2, 1002)] // unmasked frame from a client
    [InlineData(true, 0x1, 1003)]  // text frame
    [InlineData(true, 0x0, 1002)]  // continuation with nothing to continue
    [InlineData(true, 0x3, 1002)]  // reserved opcode
    public async Task A_framing_violation_gets_a_close_with_its_status_and_fails_the_input(bool masked, byte opcode, int status)
    {
        (ITransportListener listener, Task<ITransportConnection> accepted) = await ListenAsync();
        await using (listener)
        {
            using Socket raw = await RawUpgradedAsync(PortOf(listener));
            await using ITransportConnection connection = await accepted.WaitAsync(Generous);
            await raw.SendAsync(Frame(opcode, "x"u8.ToArray(), masked ? [1, 2, 3, 4] : null), SocketFlags.None);

            byte[] close = await ReadToEndAsync(raw);
            Assert.True(close.Length >= 4, "a Close frame with a status");
            Assert.Equal(0x88, close[0]);
            Assert.Equal(status, (close[2] << 8) | close[3]);
            Assert.IsType<WebSocketProtocolException>(await InputFailsAsync(connection));
        }
    }

    [Fact]
    public async Task A_frame_announcing_more_than_the_limit_is_closed_with_1009_without_waiting_for_it()
    {
        (ITransportListener listener, Task<ITransportConnection> accepted) = await ListenAsync();
        await using (listener)
        {
            using Socket raw = await RawUpgradedAsync(PortOf(listener));
            await using ITransportConnection connection = await accepted.WaitAsync(Generous);
            byte[] header = new byte[FrameCodec.MaxHeaderLength];
            int n = FrameCodec.WriteHeader(header, Opcode.Binary, WebSocketConnection.MaxFramePayloadLength + 1, masked: true, 0x11223344);
            await raw.SendAsync(header.AsMemory(0, n), SocketFlags.None);

            byte[] close = await ReadToEndAsync(raw);
            Assert.Equal(1009, (close[2] << 8) | close[3]);
        }
    }

    [Fact]
    public async Task A_ping_flood_does_not_queue_more_than_a_few_pongs()
    {
        (ITransportListener listener, Task<ITransportConnection> accepted) = await ListenAsync();
        await using (listener)
        {
            using Socket raw = await RawUpgradedAsync(PortOf(listener));
            await using ITransportConnection connection = await accepted.WaitAsync(Generous);
            byte[] ping = Frame(0x9, new byte[125], [5, 6, 7, 8]);
            byte[] flood = Enumerable.Range(0, 2000).SelectMany(_ => ping).ToArray();
            await raw.SendAsync(flood, SocketFlags.None);
            await raw.SendAsync(Frame(0x2, "after"u8.ToArray(), [1, 1, 1, 1]), SocketFlags.None);

            var read = await connection.Input.ReadAtLeastAsync(5).AsTask().WaitAsync(Generous);
            Assert.Equal("after"u8.ToArray(), System.Buffers.BuffersExtensions.ToArray(read.Buffer.Slice(0, 5)));
            connection.Input.AdvanceTo(read.Buffer.End);
        }
    }
}
