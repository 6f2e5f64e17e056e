using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.AutoNat.Protobuf;
using Nnrp.Libp2p.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;
using ResponseStatus = Nnrp.Libp2p.AutoNat.Protobuf.DialResponse.Types.ResponseStatus;

namespace Nnrp.Libp2p.Tests.AutoNat;

/// <summary>
/// What a hostile or broken client gets from an AutoNAT server: rate and concurrency limits
/// answer E_REQUEST_REJECTED, addresses the server will not dial E_DIAL_REFUSED, bytes it cannot
/// read E_INTERNAL_ERROR — each without a dial.
/// </summary>
public sealed class AutoNatServerLimitTests : IAsyncLifetime
{
    private readonly AutoNatNet _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task Requests_over_the_per_peer_rate_are_rejected()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(server: AutoNatNet.PrivateServer with { RequestsPerMinutePerPeer = 2 });

        var outcomes = new List<ProbeOutcome>();
        for (int i = 0; i < 3; i++)
        {
            outcomes.Add((await Within(client.AutoNat.ProbeAsync(server.PeerId, client.Host.ListenAddresses, CancellationToken.None))).Outcome);
        }

        Assert.Equal([ProbeOutcome.Dialable, ProbeOutcome.Dialable, ProbeOutcome.Rejected], outcomes);
        Assert.Equal(2, autoNat.DialsMade);
        Assert.Equal(1, autoNat.Rejected);
    }

    [Fact]
    public async Task Requests_over_the_global_rate_are_rejected_whoever_sends_them()
    {
        (Libp2pHost server, AutoNatServer autoNat) = await _net.StartServerAsync(AutoNatNet.PrivateServer with { RequestsPerMinute = 1 });
        AutoNatNet.Client first = await _net.StartClientAsync();
        AutoNatNet.Client second = await _net.StartClientAsync();
        await AutoNatNet.ConnectAsync(first, server);
        await AutoNatNet.ConnectAsync(second, server);

        ProbeResult a = await Within(first.AutoNat.ProbeAsync(server.PeerId, first.Host.ListenAddresses, CancellationToken.None));
        ProbeResult b = await Within(second.AutoNat.ProbeAsync(server.PeerId, second.Host.ListenAddresses, CancellationToken.None));

        Assert.Equal(ProbeOutcome.Dialable, a.Outcome);
        Assert.Equal(ProbeOutcome.Rejected, b.Outcome);
    }

    [Fact]
    public async Task A_peer_holding_its_concurrent_slot_gets_its_next_request_rejected()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(server: AutoNatNet.PrivateServer with { MaxConcurrentRequestsPerPeer = 1 }, clientIp: "127.0.0.2");
        // The first request waits for dial data that never comes, holding the peer's only slot.
        await using Libp2pStream holding = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await RawDialRequest.SendAsync(holding, client.Host.ListenAddresses[0]);
        Assert.Equal(Message.MsgOneofCase.DialDataRequest, (await RawDialRequest.ReadAsync(holding)).MsgCase);

        await using Libp2pStream second = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await RawDialRequest.SendAsync(second, client.Host.ListenAddresses[0]);
        Message answer = await RawDialRequest.ReadAsync(second);

        Assert.Equal(ResponseStatus.ERequestRejected, answer.DialResponse.Status);
        Assert.Equal(0, autoNat.DialsMade);
    }

    [Fact]
    public async Task Garbage_protobuf_is_answered_E_INTERNAL_ERROR()
    {
        (Libp2pHost server, _, AutoNatNet.Client client) = await _net.StartPairAsync();

        await using Libp2pStream stream = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await RawDialRequest.SendBytesAsync(stream, [0x0a, 0xff, 0xff, 0xff, 0x7f, 0x01]);
        Message answer = await RawDialRequest.ReadAsync(stream);

        Assert.Equal(ResponseStatus.EInternalError, answer.DialResponse.Status);
    }

    [Fact]
    public async Task A_first_message_that_is_not_a_DialRequest_is_answered_E_INTERNAL_ERROR()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync();

        await using Libp2pStream stream = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await AutoNatCodec.WriteAsync(stream.Output, new Message { DialDataResponse = new DialDataResponse() }, CancellationToken.None);
        Message answer = await RawDialRequest.ReadAsync(stream);

        Assert.Equal(ResponseStatus.EInternalError, answer.DialResponse.Status);
        Assert.Equal(0, autoNat.DialsMade);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_answered_E_INTERNAL_ERROR_before_it_is_read()
    {
        (Libp2pHost server, _, AutoNatNet.Client client) = await _net.StartPairAsync();

        await using Libp2pStream stream = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await RawDialRequest.SendBytesAsync(stream, new byte[AutoNatCodec.MaxMessageSize + 1]);
        Message answer = await RawDialRequest.ReadAsync(stream);

        Assert.Equal(ResponseStatus.EInternalError, answer.DialResponse.Status);
    }

    [Fact]
    public async Task Private_addresses_are_refused_outside_private_network_mode()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(server: new AutoNatServerOptions());

        ProbeResult result = await Within(client.AutoNat.ProbeAsync(server.PeerId, client.Host.ListenAddresses, CancellationToken.None));

        Assert.Equal(ProbeOutcome.Refused, result.Outcome);
        Assert.Equal(0, autoNat.DialsMade);
    }

    [Fact]
    public async Task The_first_address_the_server_will_dial_is_the_one_dialed()
    {
        (Libp2pHost server, _, AutoNatNet.Client client) = await _net.StartPairAsync();
        Multiaddr[] asked =
        [
            Multiaddr.Parse("/dns4/example.org/tcp/4001"), // no DNS dial-backs
            Multiaddr.Parse("/ip4/0.0.0.0/tcp/4001"),       // unspecified
            Multiaddr.Parse("/ip4/127.0.0.1/tcp/8080/http"), // not a libp2p transport
            client.Host.ListenAddresses[0],
        ];

        ProbeResult result = await Within(client.AutoNat.ProbeAsync(server.PeerId, asked, CancellationToken.None));

        Assert.Equal(ProbeOutcome.Dialable, result.Outcome);
        Assert.Equal(client.Host.ListenAddresses[0], result.Address);
    }
}
