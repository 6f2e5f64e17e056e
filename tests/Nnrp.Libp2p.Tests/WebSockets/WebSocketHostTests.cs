using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Ping;
using static Nnrp.Libp2p.Tests.WebSockets.WebSocketTestSupport;

namespace Nnrp.Libp2p.Tests.WebSockets;

/// <summary>Hosts picking the transport by address: Noise, Yamux, identify and ping over WebSocket next to TCP.</summary>
public sealed class WebSocketHostTests : IAsyncDisposable
{
    private readonly List<Libp2pHost> _hosts = [];

    private async Task<(Libp2pHost Host, IdentifyService Identify)> StartAsync(HostOptions options)
    {
        var host = new Libp2pHost(KeyPair.Generate(), options, NullLoggerFactory.Instance);
        var identify = new IdentifyService(host);
        identify.Start();
        new PingService(host).Start();
        await host.StartAsync(CancellationToken.None);
        _hosts.Add(host);
        return (host, identify);
    }

    private static Multiaddr WithId(Libp2pHost host, Multiaddr address) => address.WithPeerIdMultihash(host.PeerId.Bytes.Span);

    [Fact]
    public async Task A_host_on_tcp_and_ws_is_reached_over_ws_and_identify_reports_both_addresses()
    {
        (Libp2pHost server, _) = await StartAsync(new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws")],
        });
        (Libp2pHost client, IdentifyService identify) = await StartAsync(new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws")] });
        Multiaddr ws = server.ListenAddresses.Single(a => a.ToString().EndsWith("/ws", StringComparison.Ordinal));
        Assert.NotEqual(0, ws.TryGetIPEndPoint(out var ep) ? ep.Port : 0);

        Connection connection = await client.DialAsync(WithId(server, ws), CancellationToken.None).WaitAsync(Generous);
        Assert.Equal(server.PeerId, connection.RemotePeer);
        Assert.Equal(ws, connection.RemoteAddress);

        IdentifyResult identified = await identify.WaitForIdentifyAsync(server.PeerId, CancellationToken.None).WaitAsync(Generous);
        Assert.Contains(ws, identified.ListenAddresses);
        Assert.Contains(server.ListenAddresses[0], identified.ListenAddresses);
        Assert.EndsWith("/ws", identified.ObservedAddress!.ToString(), StringComparison.Ordinal);

        await new PingService(client).PingAsync(server.PeerId, CancellationToken.None).WaitAsync(Generous);
    }

    [Fact]
    public void A_wildcard_ws_listener_is_advertised_per_interface_with_ws_kept()
    {
        IReadOnlyList<Multiaddr> advertised = Libp2pHost.AdvertisedAddresses([Multiaddr.Parse("/ip4/0.0.0.0/tcp/4002/ws")], []);
        Assert.NotEmpty(advertised);
        Assert.All(advertised, a => Assert.EndsWith("/tcp/4002/ws", a.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_dials_tls_ws_with_its_certificate_options()
    {
        using var certificate = SelfSigned();
        (Libp2pHost server, _) = await StartAsync(new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws")],
            WebSocket = new() { ServerCertificate = certificate },
        });
        (Libp2pHost client, _) = await StartAsync(new HostOptions { ListenAddresses = [], WebSocket = Trusting(certificate) });
        Connection connection = await client.DialAsync(WithId(server, server.ListenAddresses[0]), CancellationToken.None).WaitAsync(Generous);
        Assert.EndsWith("/tls/ws", connection.RemoteAddress.ToString(), StringComparison.Ordinal);
        await new PingService(client).PingAsync(server.PeerId, CancellationToken.None).WaitAsync(Generous);
    }

    [Fact]
    public async Task A_host_listening_on_tls_ws_without_a_certificate_fails_to_start()
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws")] }, NullLoggerFactory.Instance);
        await using (host)
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(CancellationToken.None));
            Assert.Contains("certificate", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Idle_upgrades_count_as_pending_handshakes_and_the_one_over_the_limit_is_dropped()
    {
        (Libp2pHost server, _) = await StartAsync(new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws")],
            Limits = new ConnectionLimits { MaxPendingInbound = 2, HandshakeTimeout = TimeSpan.FromSeconds(20) },
            WebSocket = new() { UpgradeTimeout = TimeSpan.FromSeconds(20) },
        });
        int port = server.ListenAddresses[0].TryGetIPEndPoint(out var ep) ? ep.Port : 0;
        using Socket first = await RawConnectAsync(port);
        using Socket second = await RawConnectAsync(port);
        using var limit = new CancellationTokenSource(Generous);
        while (server.PendingInboundCount < 2)
        {
            await Task.Delay(10, limit.Token);
        }

        byte[] seen = [];
        try
        {
            using Socket third = await RawConnectAsync(port);
            await third.SendAsync(UpgradeRequest(), SocketFlags.None);
            seen = await ReadToEndAsync(third);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
        {
        }
        Assert.Empty(seen);
        Assert.Equal(2, server.PendingInboundCount);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Libp2pHost host in _hosts)
        {
            await host.DisposeAsync();
        }
    }
}
