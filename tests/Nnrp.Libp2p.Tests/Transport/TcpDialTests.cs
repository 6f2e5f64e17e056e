using System.Buffers;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;
using static Nnrp.Libp2p.Tests.Transport.TcpTestSupport;

namespace Nnrp.Libp2p.Tests.Transport;

/// <summary>Dialing: ip and dns forms, trailing /p2p, refusal, timeout, cancellation.</summary>
public class TcpDialTests
{
    [Fact]
    public async Task Dial_connects_and_both_sides_see_each_other()
    {
        var (client, server, listener) = await ConnectAsync(NewTransport());
        await using (listener)
        await using (client)
        await using (server)
        {
            Assert.Equal(listener.ListenAddress, client.RemoteAddress);
            Assert.Equal(client.LocalAddress, server.RemoteAddress);
            Assert.Equal(client.RemoteAddress, server.LocalAddress);

            await client.Output.WriteAsync("ping"u8.ToArray());
            var read = await server.Input.ReadAtLeastAsync(4).AsTask().WaitAsync(Generous);
            Assert.Equal("ping"u8.ToArray(), read.Buffer.Slice(0, 4).ToArray());
            server.Input.AdvanceTo(read.Buffer.GetPosition(4));

            await server.Output.WriteAsync("pong"u8.ToArray());
            read = await client.Input.ReadAtLeastAsync(4).AsTask().WaitAsync(Generous);
            Assert.Equal("pong"u8.ToArray(), read.Buffer.Slice(0, 4).ToArray());
            client.Input.AdvanceTo(read.Buffer.GetPosition(4));
        }
    }

    [Theory]
    [InlineData("/dns4/localhost/tcp/{0}")]
    [InlineData("/dns/localhost/tcp/{0}")]
    [InlineData("/ip4/127.0.0.1/tcp/{0}/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV")]
    public async Task Dns_names_and_a_trailing_peer_id_are_dialable(string template)
    {
        var transport = NewTransport();
        await using ITransportListener listener = await transport.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        listener.ListenAddress.TryGetIPEndPoint(out var endpoint);
        ValueTask<ITransportConnection?> accept = listener.AcceptAsync(CancellationToken.None);
        var target = Multiaddr.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, endpoint!.Port));
        await using ITransportConnection client = await transport.DialAsync(target, CancellationToken.None).WaitAsync(Generous);
        await using ITransportConnection? server = await accept.AsTask().WaitAsync(Generous);
        Assert.Equal(listener.ListenAddress, client.RemoteAddress);
        Assert.True(client.RemoteAddress.IsLoopback);
    }

    [Fact]
    public async Task Refused_connection_is_a_dial_error_naming_the_address()
    {
        var target = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{UnusedPort()}");
        var error = await Assert.ThrowsAsync<TransportDialException>(() =>
            NewTransport().DialAsync(target, CancellationToken.None).WaitAsync(Generous));
        Assert.Equal(target, error.Address);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.Contains(target.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unanswered_connect_times_out_as_a_dial_error()
    {
        using StalledPort stalled = await StallPortAsync();
        var transport = NewTransport(new TcpTransportOptions { DialTimeout = TimeSpan.FromMilliseconds(200) });
        var error = await Assert.ThrowsAsync<TransportDialException>(() =>
            transport.DialAsync(stalled.Address, CancellationToken.None).WaitAsync(Generous));
        Assert.Equal(stalled.Address, error.Address);
        Assert.Contains("timed out after 200 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unroutable_address_is_a_dial_error_or_reaches_whatever_answers_for_it()
    {
        // 10.255.255.1 normally swallows SYNs (a timeout) or has no route (unreachable);
        // behind a transparent proxy it may even connect. Only a hang or another error type fails.
        var transport = NewTransport(new TcpTransportOptions { DialTimeout = TimeSpan.FromMilliseconds(200) });
        try
        {
            await using ITransportConnection connection = await transport
                .DialAsync(Multiaddr.Parse("/ip4/10.255.255.1/tcp/4001"), CancellationToken.None).WaitAsync(Generous);
        }
        catch (TransportDialException error)
        {
            Assert.Equal("/ip4/10.255.255.1/tcp/4001", error.Address.ToString());
        }
    }

    [Fact]
    public async Task Cancelling_a_dial_throws_operation_canceled_not_a_dial_error()
    {
        using StalledPort stalled = await StallPortAsync();
        using var cancel = new CancellationTokenSource();
        Task<ITransportConnection> dial = NewTransport().DialAsync(stalled.Address, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dial.WaitAsync(Generous));
    }

    [Fact]
    public async Task Already_cancelled_dial_throws_operation_canceled()
    {
        var target = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{UnusedPort()}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NewTransport().DialAsync(target, new CancellationToken(canceled: true)).WaitAsync(Generous));
    }

    [Fact]
    public async Task Unresolvable_name_is_a_dial_error()
    {
        // RFC 6761 §6.4: ".invalid" never resolves.
        var error = await Assert.ThrowsAsync<TransportDialException>(() =>
            NewTransport().DialAsync(Multiaddr.Parse("/dns4/nothing.invalid/tcp/1"), CancellationToken.None).WaitAsync(Generous));
        Assert.Contains("nothing.invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dialing_an_address_tcp_cannot_take_is_an_argument_error() =>
        await Assert.ThrowsAsync<ArgumentException>(() =>
            NewTransport().DialAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/1/ws"), CancellationToken.None));
}
