using System.Buffers;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Dcutr.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Tests.Relay;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Dcutr;

/// <summary>
/// A peer that sends garbage on <c>/libp2p/dcutr</c> gets its stream reset and nothing else: no
/// dial, and the relayed connection carries on (NNRP.md §14.6 "Limits").
/// </summary>
public sealed class MalformedHolePunchTests : IAsyncLifetime
{
    private readonly PunchNet _net = new();

    public async Task InitializeAsync() => await _net.StartAsync();

    public async Task DisposeAsync() => await _net.DisposeAsync();

    public static TheoryData<string, byte[]> BadInputs => new()
    {
        { "garbage protobuf", [0x05, 0xff, 0xff, 0xff, 0xff, 0xff] },
        { "declared over 4 KiB", [0x81, 0x20, 0x08] },
        { "SYNC before CONNECT", Framed(DcutrCodec.Sync()) },
        { "unknown type", [0x02, 0x08, 0x07] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task The_answering_side_resets_a_stream_that_opens_with_bad_input(string what, byte[] input)
    {
        Assert.NotEmpty(what);
        // A hostile peer behind the relay opens the stream itself instead of running DCUtR.
        (Libp2pHost hostile, _) = await _net.StartPeerAsync(withDcutr: false);
        Multiaddr circuit = await _net.ReserveAsync(hostile);
        (Libp2pHost dialer, DcutrService? dcutr) = await _net.StartPeerAsync();
        Task<HolePunchOutcome> outcome = PunchNet.NextOutcome(dcutr!);
        Task<Connection> arrived = OpenedWith(hostile, dialer.PeerId);
        Connection relayed = await Within(dialer.DialAsync(circuit, CancellationToken.None));

        await using Libp2pStream stream = await Within((await arrived).NewStreamAsync([DcutrCodec.ProtocolId], CancellationToken.None));
        await stream.Output.WriteAsync(input);

        await Assert.ThrowsAnyAsync<IOException>(() => Within(RelayNet.ReadAllAsync(stream.Input)));
        Assert.False((await outcome).Succeeded);
        Assert.False(relayed.IsClosed);
        Assert.All(dialer.GetConnections(hostile.PeerId), static c => Assert.True(c.IsLimited));
        await using Libp2pStream echo = await Within(relayed.NewStreamAsync([RelayNet.EchoProtocol], CancellationToken.None));
        Assert.Equal([1, 2], await RelayNet.RoundTripAsync(echo, [1, 2]));
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task The_initiating_side_resets_the_stream_when_the_answer_is_bad(string what, byte[] input)
    {
        Assert.NotEmpty(what);
        (Libp2pHost natted, DcutrService? dcutr) = await _net.StartPeerAsync();
        Multiaddr circuit = await _net.ReserveAsync(natted);
        (Libp2pHost hostile, _) = await _net.StartPeerAsync(withDcutr: false);
        var reset = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        hostile.SetStreamHandler(DcutrCodec.ProtocolId, async (stream, ct) =>
        {
            await DcutrCodec.ReadAsync(stream.Input, ct);
            await stream.Output.WriteAsync(input, ct);
            try
            {
                await RelayNet.ReadAllAsync(stream.Input);
                reset.TrySetResult(false);
            }
            catch (IOException)
            {
                reset.TrySetResult(true);
            }
        });
        Task<HolePunchOutcome> outcome = PunchNet.NextOutcome(dcutr!);

        await using Libp2pStream echo = await Within(hostile.NewStreamAsync(circuit, [RelayNet.EchoProtocol], CancellationToken.None));
        HolePunchOutcome ended = await outcome;

        Assert.True(await Within(reset.Task));
        Assert.False(ended.Succeeded);
        Assert.Equal(1, ended.Attempts);
        Assert.True(echo.Connection.IsLimited);
        Assert.Equal([3, 4], await RelayNet.RoundTripAsync(echo, [3, 4]));
    }

    private static byte[] Framed(HolePunch message)
    {
        var writer = new ArrayBufferWriter<byte>();
        byte[] body = Google.Protobuf.MessageExtensions.ToByteArray(message);
        Varint.Write(writer, (ulong)body.Length);
        writer.Write(body);
        return writer.WrittenSpan.ToArray();
    }
}
