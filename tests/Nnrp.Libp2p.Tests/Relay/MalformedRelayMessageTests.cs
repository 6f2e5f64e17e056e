using System.Buffers;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Relay.Protobuf;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>Bad input on hop and stop streams gets the spec's status and a closed stream, never a crash or a hang.</summary>
public sealed class MalformedRelayMessageTests : IAsyncLifetime
{
    private readonly RelayNet _net = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _net.DisposeAsync();

    public static TheoryData<string, byte[], string> HopInputs => new()
    {
        { "garbage protobuf", [0x05, 0xff, 0xff, 0xff, 0xff, 0xff], "MALFORMED_MESSAGE" },
        { "no type", [0x00], "MALFORMED_MESSAGE" },
        { "over 4 KiB", [0x80, 0x40], "MALFORMED_MESSAGE" },
        { "length prefix not minimally encoded", [0x81, 0x00, 0x08], "MALFORMED_MESSAGE" },
        { "STATUS sent to the relay", Framed(new HopMessage { Type = HopMessage.Types.Type.Status, Status = Status.Ok }), "UNEXPECTED_MESSAGE" },
        { "CONNECT without a peer", Framed(new HopMessage { Type = HopMessage.Types.Type.Connect }), "MALFORMED_MESSAGE" },
        { "CONNECT to a non-peer-id", Framed(new HopMessage { Type = HopMessage.Types.Type.Connect, Peer = new Peer { Id = ByteString.CopyFrom(1, 2, 3) } }), "MALFORMED_MESSAGE" },
    };

    [Theory]
    [MemberData(nameof(HopInputs))]
    public async Task The_relay_answers_bad_hop_input_with_a_status(string what, byte[] input, string expected)
    {
        Assert.NotEmpty(what);
        await _net.StartRelayAsync();
        Libp2pHost client = await _net.StartHostAsync();
        await using Libp2pStream stream = await Within(client.NewStreamAsync(_net.RelayAddress, [RelayCodec.HopProtocolId], CancellationToken.None));

        await stream.Output.WriteAsync(input);
        HopMessage? answer = await Within(RelayCodec.ReadHopAsync(stream.Input, CancellationToken.None).AsTask());

        Assert.NotNull(answer);
        Assert.Equal(HopMessage.Types.Type.Status, answer.Type);
        Assert.Equal(expected, StatusName(answer.Status));
        Assert.Equal(0, _net.Service.ReservationCount);
    }

    [Fact]
    public async Task A_destination_answers_garbage_on_the_stop_stream_with_malformed_message()
    {
        await _net.StartRelayAsync();
        (Libp2pHost destination, _, _) = await _net.StartDestinationAsync();
        Connection toDestination = _net.Relay.FindConnection(destination.PeerId)!;
        await using Libp2pStream stream = await Within(toDestination.NewStreamAsync([RelayCodec.StopProtocolId], CancellationToken.None));

        await stream.Output.WriteAsync(new byte[] { 0x03, 0x0a, 0xff, 0xff });
        StopMessage? answer = await Within(RelayCodec.ReadStopAsync(stream.Input, CancellationToken.None).AsTask());

        Assert.Equal("MALFORMED_MESSAGE", StatusName(answer!.Status));
    }

    [Fact]
    public async Task A_destination_refuses_stop_connect_from_a_peer_it_holds_no_reservation_with()
    {
        await _net.StartRelayAsync();
        (Libp2pHost destination, _, _) = await _net.StartDestinationAsync();
        Libp2pHost stranger = await _net.StartHostAsync();
        await using Libp2pStream stream = await Within(stranger.NewStreamAsync(AddressOf(destination), [RelayCodec.StopProtocolId], CancellationToken.None));

        var connect = new StopMessage { Type = StopMessage.Types.Type.Connect, Peer = new Peer { Id = ByteString.CopyFrom(stranger.PeerId.Bytes.Span) } };
        await RelayCodec.WriteAsync(stream.Output, connect, CancellationToken.None);
        StopMessage? answer = await Within(RelayCodec.ReadStopAsync(stream.Input, CancellationToken.None).AsTask());

        Assert.Equal("PERMISSION_DENIED", StatusName(answer!.Status));
        Assert.Single(destination.GetConnections(stranger.PeerId));
    }

    private static byte[] Framed(IMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        byte[] body = message.ToByteArray();
        Varint.Write(writer, (ulong)body.Length);
        writer.Write(body);
        return writer.WrittenSpan.ToArray();
    }

    private static string StatusName(Status status) =>
        typeof(Status).GetField(status.ToString())!.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .Cast<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name;
}
