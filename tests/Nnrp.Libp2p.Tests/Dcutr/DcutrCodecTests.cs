using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Dcutr.Protobuf;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Tests.Dcutr;

/// <summary>DCUtR.md "RPC messages": uvarint-prefixed HolePunch, 4 KiB at most; bad bytes are a typed error.</summary>
public sealed class DcutrCodecTests
{
    private static readonly Multiaddr[] Two = [Multiaddr.Parse("/ip4/203.0.113.7/tcp/4001"), Multiaddr.Parse("/ip6/2001:db8::1/tcp/4001")];

    [Fact]
    public async Task Connect_and_sync_round_trip_with_their_addresses()
    {
        var pipe = new Pipe();
        await DcutrCodec.WriteAsync(pipe.Writer, DcutrCodec.Connect(Two), CancellationToken.None);
        await DcutrCodec.WriteAsync(pipe.Writer, DcutrCodec.Sync(), CancellationToken.None);
        await pipe.Writer.CompleteAsync();

        HolePunch? connect = await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None);
        HolePunch? sync = await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None);
        HolePunch? end = await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None);

        Assert.Equal(HolePunch.Types.Type.Connect, connect!.Type);
        Assert.Equal(Two, DcutrCodec.Addresses(connect));
        Assert.Equal(HolePunch.Types.Type.Sync, sync!.Type);
        Assert.Empty(sync.ObsAddrs);
        Assert.Null(end);
    }

    [Fact]
    public void The_wire_bytes_are_the_specs_field_numbers_and_enum_values()
    {
        // type=1 varint 300 (0xac 0x02), no addresses: what go-libp2p and js-libp2p send as SYNC.
        Assert.Equal(new byte[] { 0x08, 0xac, 0x02 }, DcutrCodec.Sync().ToByteArray());
        byte[] connect = DcutrCodec.Connect([Two[0]]).ToByteArray();
        Assert.Equal(new byte[] { 0x08, 0x64, 0x12, (byte)Two[0].Bytes.Length }, connect[..4]);
    }

    [Fact]
    public void Only_the_first_16_addresses_count_and_undecodable_ones_are_skipped()
    {
        var message = new HolePunch { Type = HolePunch.Types.Type.Connect };
        message.ObsAddrs.Add(ByteString.CopyFrom(0xff, 0xff, 0xff));
        for (int i = 0; i < 40; i++)
        {
            message.ObsAddrs.Add(ByteString.CopyFrom(Multiaddr.Parse($"/ip4/203.0.113.{i}/tcp/4001").Bytes.Span));
        }

        IReadOnlyList<Multiaddr> read = DcutrCodec.Addresses(message);

        Assert.Equal(DcutrCodec.MaxAddresses - 1, read.Count);
        Assert.Equal(Multiaddr.Parse("/ip4/203.0.113.0/tcp/4001"), read[0]);
        Assert.Equal(DcutrCodec.MaxAddresses, DcutrCodec.Connect(Enumerable.Repeat(Two[0], 40)).ObsAddrs.Count);
    }

    public static TheoryData<string, byte[]> BadInputs => new()
    {
        { "garbage protobuf", [0x05, 0xff, 0xff, 0xff, 0xff, 0xff] },
        { "no type", [0x00] },
        { "unknown type", [0x02, 0x08, 0x07] },
        { "declared over 4 KiB", [0x81, 0x20] },
        { "truncated body", [0x0a, 0x08, 0x64] },
        { "truncated length prefix", [0x80] },
        { "length prefix not minimally encoded", [0x80, 0x00] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_a_dcutr_protocol_error(string what, byte[] input)
    {
        Assert.NotEmpty(what);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(input);
        await pipe.Writer.CompleteAsync();

        await Assert.ThrowsAsync<DcutrProtocolException>(async () => await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None));
    }

    [Fact]
    public async Task A_message_of_exactly_4_KiB_is_read_and_one_byte_more_is_refused()
    {
        foreach ((int size, bool accepted) in new[] { (DcutrCodec.MaxMessageSize, true), (DcutrCodec.MaxMessageSize + 1, false) })
        {
            // One unknown length-delimited field (13) pads a SYNC to the size; parsers skip it.
            byte[] sync = DcutrCodec.Sync().ToByteArray();
            int padding = size - sync.Length - 3; // tag (1) + 2-byte length
            var body = new ArrayBufferWriter<byte>();
            body.Write(sync);
            body.Write(new byte[] { 0x6a });
            Varint.Write(body, (ulong)padding);
            body.Write(new byte[padding]);
            Assert.Equal(size, body.WrittenCount);
            var pipe = new Pipe();
            await LengthPrefixed.WriteAsync(pipe.Writer, body.WrittenMemory, CancellationToken.None);
            await pipe.Writer.CompleteAsync();

            if (accepted)
            {
                Assert.Equal(HolePunch.Types.Type.Sync, (await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None))!.Type);
            }
            else
            {
                await Assert.ThrowsAsync<DcutrProtocolException>(async () => await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None));
            }
        }
    }

    [Fact]
    public async Task Random_bytes_never_escape_as_anything_but_a_protocol_error()
    {
        var random = new Random(15);
        for (int i = 0; i < 500; i++)
        {
            byte[] input = new byte[random.Next(1, 64)];
            random.NextBytes(input);
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(input);
            await pipe.Writer.CompleteAsync();
            try
            {
                await DcutrCodec.ReadAsync(pipe.Reader, CancellationToken.None);
            }
            catch (DcutrProtocolException)
            {
            }
        }
    }
}
