using System.Buffers;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;
using static Nnrp.Libp2p.Tests.Transport.TcpTestSupport;

namespace Nnrp.Libp2p.Tests.Transport;

/// <summary>Which addresses TCP takes, and listeners: bound port, IPv6, disposal.</summary>
public class TcpListenerTests
{
    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/1", true, true)]
    [InlineData("/ip6/::1/tcp/1", true, true)]
    [InlineData("/dns4/example.com/tcp/1", true, false)]
    [InlineData("/dns6/example.com/tcp/1", true, false)]
    [InlineData("/dns/example.com/tcp/1", true, false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV", true, false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/ws", false, false)]
    [InlineData("/ip4/1.2.3.4/udp/1/quic-v1", false, false)]
    [InlineData("/dnsaddr/example.com", false, false)]
    [InlineData("/ip4/1.2.3.4", false, false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/p2p-circuit", false, false)]
    public void Tcp_takes_ip_or_dns_then_tcp(string text, bool dial, bool listen)
    {
        var transport = NewTransport();
        Assert.Equal(dial, transport.CanDial(Multiaddr.Parse(text)));
        Assert.Equal(listen, transport.CanListen(Multiaddr.Parse(text)));
    }

    [Fact]
    public async Task Listening_on_port_zero_reports_the_bound_port()
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        Assert.True(listener.ListenAddress.TryGetIPEndPoint(out var endpoint));
        Assert.Equal("127.0.0.1", endpoint.Address.ToString());
        Assert.NotEqual(0, endpoint.Port);
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", listener.ListenAddress.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_on_a_taken_port_fails_with_an_io_error()
    {
        var transport = NewTransport();
        await using ITransportListener first = await transport.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        var error = await Assert.ThrowsAsync<IOException>(() => transport.ListenAsync(first.ListenAddress, CancellationToken.None));
        Assert.Contains(first.ListenAddress.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_on_a_non_tcp_address_is_an_argument_error() =>
        await Assert.ThrowsAsync<ArgumentException>(() =>
            NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/udp/0"), CancellationToken.None));

    [Fact]
    public async Task Disposing_the_listener_ends_a_pending_accept_with_null()
    {
        ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        ValueTask<ITransportConnection?> pending = listener.AcceptAsync(CancellationToken.None);
        await listener.DisposeAsync();
        Assert.Null(await pending.AsTask().WaitAsync(Generous));
        Assert.Null(await listener.AcceptAsync(CancellationToken.None).AsTask().WaitAsync(Generous));
    }

    [Fact]
    public async Task Cancelling_accept_throws_operation_canceled()
    {
        await using ITransportListener listener = await NewTransport().ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        ValueTask<ITransportConnection?> pending = listener.AcceptAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Generous));
    }

    [Ipv6LoopbackFact]
    public async Task Ipv6_loopback_listens_and_connects()
    {
        var transport = NewTransport();
        var (client, server, listener) = await ConnectAsync(transport, "/ip6/::1/tcp/0");
        await using (listener)
        await using (client)
        await using (server)
        {
            Assert.StartsWith("/ip6/::1/tcp/", listener.ListenAddress.ToString(), StringComparison.Ordinal);
            Assert.Equal(listener.ListenAddress, server.LocalAddress);
            Assert.Equal(client.LocalAddress, server.RemoteAddress);
            await client.Output.WriteAsync("v6"u8.ToArray());
            var read = await server.Input.ReadAtLeastAsync(2).AsTask().WaitAsync(Generous);
            Assert.Equal("v6"u8.ToArray(), read.Buffer.ToArray());
            server.Input.AdvanceTo(read.Buffer.End);
        }
    }

    [Ipv6LoopbackFact]
    public async Task Ipv6_wildcard_listener_is_ipv6_only()
    {
        var transport = NewTransport();
        await using ITransportListener v6 = await transport.ListenAsync(Multiaddr.Parse("/ip6/::/tcp/0"), CancellationToken.None);
        v6.ListenAddress.TryGetIPEndPoint(out var endpoint);
        // With dual stack off, IPv4 on the same port is still free to bind.
        await using ITransportListener v4 = await transport.ListenAsync(Multiaddr.Parse($"/ip4/0.0.0.0/tcp/{endpoint!.Port}"), CancellationToken.None);
        Assert.Equal($"/ip4/0.0.0.0/tcp/{endpoint.Port}", v4.ListenAddress.ToString());
    }
}
