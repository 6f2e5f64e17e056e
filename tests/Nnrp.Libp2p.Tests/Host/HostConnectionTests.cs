using System.Buffers;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.MultistreamSelect;
using Nnrp.Libp2p.Noise;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Host;

/// <summary>Dialing, connection reuse and lifecycle events between real hosts on loopback.</summary>
public sealed class HostConnectionTests : IAsyncLifetime
{
    private readonly Hosts _hosts = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task Dialing_a_multiaddr_with_p2p_authenticates_the_expected_peer()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync();
        Task<Connection> bSaw = OpenedWith(b, a.PeerId);

        Connection c = await Within(a.DialAsync(AddressOf(b), CancellationToken.None));

        Assert.Equal(b.PeerId, c.RemotePeer);
        Assert.Equal(ConnectionDirection.Outbound, c.Direction);
        Connection inbound = await bSaw;
        Assert.Equal(a.PeerId, inbound.RemotePeer);
        Assert.Equal(ConnectionDirection.Inbound, inbound.Direction);
    }

    [Fact]
    public async Task Dialing_with_the_wrong_peer_id_fails_the_noise_handshake()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync();
        using var stranger = KeyPair.Generate();
        var wrong = b.ListenAddresses[0].WithPeerIdMultihash(stranger.PeerId.Bytes.Span);

        await Assert.ThrowsAsync<NoiseHandshakeException>(() => Within(a.DialAsync(wrong, CancellationToken.None)));
        Assert.Null(a.FindConnection(b.PeerId));
    }

    [Fact]
    public async Task A_second_dial_to_a_connected_peer_reuses_the_connection()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync();

        Connection[] dials = await Within(Task.WhenAll(Enumerable.Range(0, 8).Select(_ => a.DialAsync(AddressOf(b), CancellationToken.None))));

        Assert.All(dials, d => Assert.Same(dials[0], d));
        Assert.Single(a.GetConnections(b.PeerId));
    }

    [Fact]
    public async Task Dialing_by_peer_id_uses_the_addresses_in_the_peer_store()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync();
        a.PeerStore.AddAddresses(b.PeerId, b.ListenAddresses);

        Connection c = await Within(a.DialAsync(b.PeerId, CancellationToken.None));

        Assert.Equal(b.PeerId, c.RemotePeer);
    }

    [Fact]
    public async Task Dialing_a_peer_with_no_known_address_says_so()
    {
        Libp2pHost a = await _hosts.StartAsync();
        using var unknown = KeyPair.Generate();

        var ex = await Assert.ThrowsAsync<PeerUnreachableException>(() => Within(a.DialAsync(unknown.PeerId, CancellationToken.None)));
        Assert.Contains("no known addresses", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_reaches_the_handler_of_the_agreed_protocol()
    {
        var received = new TaskCompletionSource<(string Protocol, PeerId Peer, byte[] Data)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync(configure: h => h.SetStreamHandler("/test/2", async (s, ct) =>
        {
            var read = await s.Input.ReadAtLeastAsync(5, ct);
            received.TrySetResult((s.Protocol, s.RemotePeer, read.Buffer.Slice(0, 5).ToArray()));
            s.Input.AdvanceTo(read.Buffer.End);
        }));

        Connection c = await Within(a.DialAsync(AddressOf(b), CancellationToken.None));
        await using Libp2pStream stream = await Within(c.NewStreamAsync(["/test/1", "/test/2"], CancellationToken.None));
        await stream.Output.WriteAsync("hello"u8.ToArray());

        Assert.Equal("/test/2", stream.Protocol);
        var got = await Within(received.Task);
        Assert.Equal("/test/2", got.Protocol);
        Assert.Equal(a.PeerId, got.Peer);
        Assert.Equal("hello"u8.ToArray(), got.Data);
    }

    [Fact]
    public async Task A_stream_for_an_unsupported_protocol_is_refused_and_the_connection_survives()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync(configure: h => h.SetStreamHandler("/there", static (_, _) => Task.CompletedTask));
        Connection c = await Within(a.DialAsync(AddressOf(b), CancellationToken.None));

        await Assert.ThrowsAsync<NoProtocolAgreedException>(() => Within(c.NewStreamAsync(["/not-there"], CancellationToken.None)));

        await using Libp2pStream ok = await Within(c.NewStreamAsync(["/there"], CancellationToken.None));
        Assert.Equal("/there", ok.Protocol);
    }

    [Fact]
    public async Task Disconnecting_fires_closed_events_on_both_sides()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync();
        await Within(a.DialAsync(AddressOf(b), CancellationToken.None));
        Task<Connection> aClosed = ClosedWith(a, b.PeerId);
        Task<Connection> bClosed = ClosedWith(b, a.PeerId);

        await Within(a.DisconnectAsync(b.PeerId));

        await aClosed;
        await bClosed;
        Assert.Null(a.FindConnection(b.PeerId));
        Assert.Null(b.FindConnection(a.PeerId));
    }

    [Fact]
    public async Task Stopping_a_host_closes_its_connections_at_the_remote_end()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Libp2pHost b = await _hosts.StartAsync();
        await Within(a.DialAsync(AddressOf(b), CancellationToken.None));
        Task<Connection> aSawClose = ClosedWith(a, b.PeerId);

        await b.DisposeAsync();

        await aSawClose;
        await Assert.ThrowsAsync<ObjectDisposedException>(() => b.DialAsync(AddressOf(a), CancellationToken.None));
    }

    [Fact]
    public async Task The_bound_port_of_tcp_zero_is_reported()
    {
        Libp2pHost a = await _hosts.StartAsync();
        Assert.True(a.ListenAddresses[0].TryGetIPEndPoint(out var ep));
        Assert.NotEqual(0, ep!.Port);
        Assert.All(a.GetAdvertisedAddresses(withPeerId: true), m => Assert.Equal(a.PeerId.Bytes.ToArray(), m.PeerIdMultihash!.Value.Span.ToArray()));
    }
}
