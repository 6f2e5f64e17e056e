using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.WebSockets;
using static Nnrp.Libp2p.Tests.WebSockets.WebSocketTestSupport;

namespace Nnrp.Libp2p.Tests.WebSockets;

/// <summary>The transport end to end on loopback: addresses, bytes both ways, control frames, close, TLS.</summary>
public sealed class WebSocketConnectionTests
{
    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var result = new byte[count];
        int got = 0;
        while (got < count)
        {
            ReadResult read = await reader.ReadAsync().AsTask().WaitAsync(Generous);
            ReadOnlySequence<byte> buffer = read.Buffer;
            int n = (int)Math.Min(buffer.Length, count - got);
            buffer.Slice(0, n).CopyTo(result.AsSpan(got));
            got += n;
            reader.AdvanceTo(buffer.GetPosition(n));
            if (read.IsCompleted && got < count)
            {
                throw new IOException($"ended after {got} of {count} bytes");
            }
        }
        return result;
    }

    private static async Task<bool> EndsAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync().AsTask().WaitAsync(Generous);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return read.Buffer.IsEmpty;
            }
        }
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/0/ws", "/ws")]
    [InlineData("/ip6/::1/tcp/0/ws", "/ws")]
    public async Task A_listener_on_port_0_reports_its_bound_port_with_ws(string listen, string suffix)
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse(listen), CancellationToken.None);
        Assert.EndsWith(suffix, listener.ListenAddress.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(0, PortOf(listener));
    }

    [Fact]
    public async Task Megabytes_cross_both_ways_intact_and_addresses_carry_ws()
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws"), CancellationToken.None);
        (ITransportConnection client, ITransportConnection server) = await ConnectAsync(listener, NewTransport());
        await using (client)
        await using (server)
        {
            Assert.Equal(listener.ListenAddress, client.RemoteAddress);
            Assert.Equal(client.LocalAddress, server.RemoteAddress);
            byte[] up = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
            byte[] down = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5);
            Task sendUp = client.Output.WriteAsync(up).AsTask();
            Task sendDown = server.Output.WriteAsync(down).AsTask();
            Assert.Equal(up, await ReadExactlyAsync(server.Input, up.Length));
            Assert.Equal(down, await ReadExactlyAsync(client.Input, down.Length));
            await Task.WhenAll(sendUp, sendDown).WaitAsync(Generous);
        }
    }

    [Fact]
    public async Task Closing_one_side_ends_the_others_input_after_all_data()
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws"), CancellationToken.None);
        (ITransportConnection client, ITransportConnection server) = await ConnectAsync(listener, NewTransport());
        await using (server)
        {
            await client.Output.WriteAsync("last words"u8.ToArray());
            await client.DisposeAsync();
            Assert.Equal("last words"u8.ToArray(), await ReadExactlyAsync(server.Input, 10));
            Assert.True(await EndsAsync(server.Input), "the Close frame ends the input cleanly");
        }
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_carrying_its_payload_and_data_still_flows()
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws"), CancellationToken.None);
        Task<ITransportConnection> accept = AcceptStartedAsync(listener);
        using Socket raw = await RawUpgradedAsync(PortOf(listener));
        await using ITransportConnection server = await accept.WaitAsync(Generous);

        byte[] key = [9, 8, 7, 6];
        await raw.SendAsync(Frame(0x9, "are you there"u8.ToArray(), key), SocketFlags.None);
        await raw.SendAsync(Frame(0x2, "data"u8.ToArray(), key, fin: false), SocketFlags.None);
        await raw.SendAsync(Frame(0x0, "!"u8.ToArray(), key), SocketFlags.None);

        byte[] pong = new byte[2 + 13];
        await ReceiveExactlyAsync(raw, pong);
        Assert.Equal(Frame(0xA, "are you there"u8.ToArray(), null), pong);
        Assert.Equal("data!"u8.ToArray(), await ReadExactlyAsync(server.Input, 5));
    }

    [Fact]
    public async Task A_peers_close_is_echoed_with_its_status_and_ends_the_input()
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws"), CancellationToken.None);
        Task<ITransportConnection> accept = AcceptStartedAsync(listener);
        using Socket raw = await RawUpgradedAsync(PortOf(listener));
        await using ITransportConnection server = await accept.WaitAsync(Generous);

        await raw.SendAsync(Frame(0x8, [0x03, 0xE9], [1, 2, 3, 4]), SocketFlags.None); // 1001 going away
        byte[] echoed = await ReadToEndAsync(raw);
        Assert.Equal(new byte[] { 0x88, 0x02, 0x03, 0xE9 }, echoed);
        Assert.True(await EndsAsync(server.Input));
    }

    [Fact]
    public async Task Tls_ws_carries_bytes_with_a_trusted_certificate()
    {
        using var certificate = SelfSigned();
        WebSocketTransport server = NewTransport(new WebSocketTransportOptions { ServerCertificate = certificate });
        await using ITransportListener listener = await server.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws"), CancellationToken.None);
        Assert.EndsWith("/tls/ws", listener.ListenAddress.ToString(), StringComparison.Ordinal);

        // The legacy /wss spelling dials the same listener.
        Multiaddr legacy = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{PortOf(listener)}/wss");
        (ITransportConnection client, ITransportConnection accepted) = await ConnectAsync(listener, NewTransport(Trusting(certificate)), legacy);
        await using (client)
        await using (accepted)
        {
            Assert.EndsWith("/tls/ws", client.RemoteAddress.ToString(), StringComparison.Ordinal);
            byte[] data = RandomNumberGenerator.GetBytes(300_000);
            Task send = client.Output.WriteAsync(data).AsTask();
            Assert.Equal(data, await ReadExactlyAsync(accepted.Input, data.Length));
            await send;
            await accepted.Output.WriteAsync("ok"u8.ToArray());
            Assert.Equal("ok"u8.ToArray(), await ReadExactlyAsync(client.Input, 2));
        }
    }

    [Fact]
    public async Task Tls_ws_with_an_sni_name_checks_the_certificate_against_that_name()
    {
        using var certificate = SelfSigned();
        await using ITransportListener listener = await NewTransport(new WebSocketTransportOptions { ServerCertificate = certificate })
            .ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws"), CancellationToken.None);
        string? checkedName = null;
        var options = new WebSocketTransportOptions
        {
            RemoteCertificateValidation = (sender, _, _, _) =>
            {
                checkedName = ((System.Net.Security.SslStream)sender).TargetHostName;
                return checkedName.Length > 0;
            },
        };
        (ITransportConnection client, ITransportConnection accepted) = await ConnectAsync(
            listener, NewTransport(options), Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{PortOf(listener)}/tls/sni/localhost/ws"));
        await client.DisposeAsync();
        await accepted.DisposeAsync();
        Assert.Equal("localhost", checkedName);
    }

    [Fact]
    public async Task A_self_signed_certificate_fails_the_default_validation_as_a_dial_error()
    {
        using var certificate = SelfSigned();
        await using ITransportListener listener = await NewTransport(new WebSocketTransportOptions { ServerCertificate = certificate })
            .ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws"), CancellationToken.None);
        _ = AcceptStartedAsync(listener);
        var ex = await Assert.ThrowsAsync<TransportDialException>(() => NewTransport().DialAsync(listener.ListenAddress, CancellationToken.None).WaitAsync(Generous));
        Assert.Contains("TLS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_on_tls_ws_without_a_certificate_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws"), CancellationToken.None));
        Assert.Contains("certificate", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/1/ws", true, true)]
    [InlineData("/dns4/example.com/tcp/443/tls/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", true, false)]
    [InlineData("/dns6/example.com/tcp/443/wss", true, false)]
    [InlineData("/ip6/::1/tcp/443/tls/ws", true, true)]
    [InlineData("/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws", true, false)]
    [InlineData("/ip4/1.2.3.4/tcp/1", false, false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/ws/ws", false, false)]
    [InlineData("/ip4/1.2.3.4/udp/1/ws", false, false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/tls/http", false, false)]
    public void Addresses_are_dialable_and_listenable_by_their_form(string address, bool dial, bool listen)
    {
        WebSocketTransport transport = NewTransport();
        Assert.Equal(dial, transport.CanDial(Multiaddr.Parse(address)));
        Assert.Equal(listen, transport.CanListen(Multiaddr.Parse(address)));
    }

    [Fact]
    public async Task A_dial_to_a_port_that_answers_plain_http_fails_with_the_status()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        server.Listen();
        Task answer = Task.Run(async () =>
        {
            using Socket peer = await server.AcceptAsync();
            await peer.ReceiveAsync(new byte[4096], SocketFlags.None);
            await peer.SendAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), SocketFlags.None);
            peer.Shutdown(SocketShutdown.Both);
        });
        int port = ((System.Net.IPEndPoint)server.LocalEndPoint!).Port;
        var ex = await Assert.ThrowsAsync<TransportDialException>(() => NewTransport().DialAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}/ws"), CancellationToken.None).WaitAsync(Generous));
        Assert.Contains("404 Not Found", ex.Message, StringComparison.Ordinal);
        await answer.WaitAsync(Generous);
    }

    internal static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        using var limit = new CancellationTokenSource(Generous);
        int got = 0;
        while (got < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, limit.Token);
            if (n == 0)
            {
                throw new IOException($"closed after {got} bytes");
            }
            got += n;
        }
    }
}
