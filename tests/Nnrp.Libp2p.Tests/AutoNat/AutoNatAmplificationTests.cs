using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.AutoNat.Protobuf;
using Nnrp.Libp2p.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.AutoNat;

/// <summary>
/// Spec "Amplification Attack Prevention": an address whose IP is not the one the request came
/// from is dialed only after the client paid 30k–100k bytes of dial data. On loopback the client
/// listens on 127.0.0.2 while its connection to the server comes from 127.0.0.1.
/// </summary>
public sealed class AutoNatAmplificationTests : IAsyncLifetime
{
    private readonly AutoNatNet _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task Dial_data_is_demanded_when_the_address_IP_differs_and_nothing_is_dialed_without_it()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(clientIp: "127.0.0.2");
        Assert.Equal("/ip4/127.0.0.1", client.Host.FindConnection(server.PeerId)!.LocalAddress.ToString()[..14]);

        await using (Libp2pStream stream = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId)))
        {
            await RawDialRequest.SendAsync(stream, client.Host.ListenAddresses[0]);
            Message ask = await RawDialRequest.ReadAsync(stream);

            Assert.Equal(Message.MsgOneofCase.DialDataRequest, ask.MsgCase);
            Assert.Equal(0u, ask.DialDataRequest.AddrIdx);
            Assert.InRange(ask.DialDataRequest.NumBytes, 30_000UL, 100_000UL);
            stream.CloseWrite();
            Assert.Null(await AutoNatCodec.ReadAsync(stream.Input, Message.Parser, CancellationToken.None).AsTask().WaitAsync(WaitLimit));
        }
        Assert.Equal(0, autoNat.DialsMade);
    }

    [Fact]
    public async Task A_client_that_pays_the_dial_data_is_dialed_back()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(clientIp: "127.0.0.2");

        ProbeResult result = await Within(client.AutoNat.ProbeAsync(server.PeerId, client.Host.ListenAddresses, CancellationToken.None));

        Assert.Equal(ProbeOutcome.Dialable, result.Outcome);
        Assert.Equal(1, autoNat.DialsMade);
    }

    [Fact]
    public async Task A_client_that_refuses_the_cost_resets_the_stream_and_no_dial_is_made()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(client: AutoNatNet.PrivateClient with { MaxDialDataBytes = 1000 }, clientIp: "127.0.0.2");

        ProbeResult result = await Within(client.AutoNat.ProbeAsync(server.PeerId, client.Host.ListenAddresses, CancellationToken.None));

        Assert.Equal(ProbeOutcome.DialDataRefused, result.Outcome);
        Assert.Equal(0, autoNat.DialsMade);
    }

    [Fact]
    public async Task An_address_on_the_observed_IP_is_dialed_without_dial_data()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync();

        await using Libp2pStream stream = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await RawDialRequest.SendAsync(stream, client.Host.ListenAddresses[0]);
        Message answer = await RawDialRequest.ReadAsync(stream);

        Assert.Equal(Message.MsgOneofCase.DialResponse, answer.MsgCase);
        Assert.Equal(DialResponse.Types.ResponseStatus.Ok, answer.DialResponse.Status);
        // Nonce 42 was never registered by the client, so its dial-back handler refuses it.
        Assert.Equal(DialStatus.EDialBackError, answer.DialResponse.DialStatus);
        Assert.Equal(1, autoNat.DialsMade);
    }

    [Fact]
    public async Task Oversized_dial_data_chunks_end_the_request_with_an_internal_error()
    {
        (Libp2pHost server, AutoNatServer autoNat, AutoNatNet.Client client) = await _net.StartPairAsync(clientIp: "127.0.0.2");

        await using Libp2pStream stream = await Within(RawDialRequest.OpenAsync(client.Host, server.PeerId));
        await RawDialRequest.SendAsync(stream, client.Host.ListenAddresses[0]);
        await RawDialRequest.ReadAsync(stream);
        var big = new Message { DialDataResponse = new DialDataResponse { Data = Google.Protobuf.ByteString.CopyFrom(new byte[5000]) } };
        await AutoNatCodec.WriteAsync(stream.Output, big, CancellationToken.None);
        Message answer = await RawDialRequest.ReadAsync(stream);

        Assert.Equal(DialResponse.Types.ResponseStatus.EInternalError, answer.DialResponse.Status);
        Assert.Equal(0, autoNat.DialsMade);
    }
}
