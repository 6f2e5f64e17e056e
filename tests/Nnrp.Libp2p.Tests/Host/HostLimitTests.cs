using System.Net;
using System.Net.Sockets;
using Nnrp.Libp2p.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Host;

/// <summary>Connection manager limits and hostile or idle inbound connections.</summary>
public sealed class HostLimitTests : IAsyncLifetime
{
    private readonly Hosts _hosts = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task A_connection_that_never_handshakes_is_closed_after_the_handshake_timeout()
    {
        Libp2pHost host = await _hosts.StartAsync(new ConnectionLimits { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using Socket idle = await ConnectRawAsync(host);

        // The host sends its multistream header, then hangs up when the handshake stalls.
        int seen = await ReadUntilClosedAsync(idle);
        Assert.True(seen > 0, "the multistream header arrives before the close");
        Assert.Empty(host.Connections);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_bytes_instead_of_a_handshake_close_the_connection_and_the_host_keeps_serving(int seed)
    {
        Libp2pHost host = await _hosts.StartAsync();
        var random = new Random(seed);
        byte[] garbage = new byte[random.Next(1, 70_000)];
        random.NextBytes(garbage);
        using (Socket raw = await ConnectRawAsync(host))
        {
            try
            {
                await raw.SendAsync(garbage, SocketFlags.None);
            }
            catch (SocketException)
            {
                // The host may reset before all of it is sent; that is the point.
            }
            await ReadUntilClosedAsync(raw);
        }

        Libp2pHost client = await _hosts.StartAsync();
        Connection c = await Within(client.DialAsync(AddressOf(host), CancellationToken.None));
        Assert.Equal(host.PeerId, c.RemotePeer);
    }

    [Fact]
    public async Task Pending_handshakes_beyond_the_limit_are_dropped_at_once()
    {
        Libp2pHost host = await _hosts.StartAsync(new ConnectionLimits { MaxPendingInbound = 2, HandshakeTimeout = TimeSpan.FromSeconds(20) });
        using Socket first = await ConnectRawAsync(host);
        using Socket second = await ConnectRawAsync(host);
        await ReadSomeAsync(first);
        await ReadSomeAsync(second);

        // The third gets no multistream header, only a close — which may be a reset that
        // arrives before the connect call itself returns.
        int seen = 0;
        try
        {
            using Socket third = await ConnectRawAsync(host);
            seen = await ReadUntilClosedAsync(third);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        Assert.Equal(0, seen);
    }

    [Fact]
    public async Task Pending_handshakes_from_one_address_stop_at_its_cap_while_another_address_still_gets_in()
    {
        Libp2pHost host = await _hosts.StartAsync(new ConnectionLimits { MaxPendingInboundPerIp = 2, HandshakeTimeout = TimeSpan.FromSeconds(20) });
        IPAddress attacker = IPAddress.Parse("127.0.1.2");
        using Socket first = await ConnectRawAsync(host, attacker);
        using Socket second = await ConnectRawAsync(host, attacker);
        await ReadSomeAsync(first);
        await ReadSomeAsync(second);

        int seen = 0;
        try
        {
            using Socket third = await ConnectRawAsync(host, attacker);
            seen = await ReadUntilClosedAsync(third);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        Assert.Equal(0, seen);

        using Socket honest = await ConnectRawAsync(host);
        await ReadSomeAsync(honest);
        Assert.Equal(3, host.PendingInboundCount);
    }

    [Fact]
    public async Task Inbound_connections_beyond_the_limit_are_closed()
    {
        Libp2pHost server = await _hosts.StartAsync(new ConnectionLimits { MaxConnections = 1 });
        Libp2pHost first = await _hosts.StartAsync();
        Libp2pHost second = await _hosts.StartAsync();
        await Within(first.DialAsync(AddressOf(server), CancellationToken.None));
        await Eventually(() => server.Connections.Count == 1);

        Task<Connection> closed = ClosedWith(second, server.PeerId);
        try
        {
            await Within(second.DialAsync(AddressOf(server), CancellationToken.None));
        }
        catch (IOException)
        {
            // The close may land during the muxer handshake instead; either way it is refused.
        }
        if (second.FindConnection(server.PeerId) is not null)
        {
            await closed;
        }
        Assert.Single(server.Connections);
        Assert.Equal(first.PeerId, server.Connections.Single().RemotePeer);
    }

    private static async Task<Socket> ConnectRawAsync(Libp2pHost host, IPAddress? source = null)
    {
        Assert.True(host.ListenAddresses[0].TryGetIPEndPoint(out IPEndPoint? ep));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }
        await socket.ConnectAsync(ep!).WaitAsync(WaitLimit);
        return socket;
    }

    private static async Task ReadSomeAsync(Socket socket)
    {
        byte[] buffer = new byte[64];
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(WaitLimit);
        Assert.True(n > 0);
    }

    /// <summary>Reads until EOF or reset; returns the bytes seen. Fails if the host never closes.</summary>
    private static async Task<int> ReadUntilClosedAsync(Socket socket)
    {
        byte[] buffer = new byte[4096];
        int total = 0;
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(WaitLimit);
                if (n == 0)
                {
                    return total;
                }
                total += n;
            }
        }
        catch (SocketException)
        {
            return total;
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }
}
