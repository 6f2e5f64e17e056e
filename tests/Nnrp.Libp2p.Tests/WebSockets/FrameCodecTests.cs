using System.Buffers;
using Nnrp.Libp2p.WebSockets;

namespace Nnrp.Libp2p.Tests.WebSockets;

/// <summary>RFC 6455 §5 framing: header forms, masking direction, control frame rules, limits.</summary>
public sealed class FrameCodecTests
{
    private static FrameHeader Read(byte[] bytes, bool expectMasked, long max = 1 << 20)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameCodec.TryReadHeader(ref buffer, expectMasked, max, out FrameHeader header));
        return header;
    }

    private static WebSocketProtocolException Refused(byte[] bytes, bool expectMasked, long max = 1 << 20)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return Assert.Throws<WebSocketProtocolException>(() => FrameCodec.TryReadHeader(ref buffer, expectMasked, max, out _));
    }

    [Fact]
    public void The_rfc_masked_hello_example_reads_and_unmasks()
    {
        // RFC 6455 §5.7: a single-frame masked text message "Hello".
        byte[] wire = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.True(FrameCodec.TryReadHeader(ref buffer, expectMasked: true, 1024, out FrameHeader header));
        Assert.True(header.Fin);
        Assert.Equal(5, header.PayloadLength);
        byte[] payload = buffer.ToArray();
        FrameCodec.MaskCopy(payload, payload, header.MaskKey, 0);
        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Fact]
    public void The_rfc_unmasked_hello_example_reads_on_the_client_side()
    {
        FrameHeader header = Read([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], expectMasked: false);
        Assert.False(header.Masked);
        Assert.Equal(5, header.PayloadLength);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(125, false)]
    [InlineData(126, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    [InlineData(3_000_000, true)]
    public void Headers_round_trip_in_the_shortest_length_form(int length, bool masked)
    {
        var bytes = new byte[FrameCodec.MaxHeaderLength];
        int n = FrameCodec.WriteHeader(bytes, Opcode.Binary, length, masked, 0x01020304);
        Assert.Equal(FrameCodec.HeaderLength(length, masked), n);
        FrameHeader header = Read(bytes[..n], expectMasked: masked, max: 4_000_000);
        Assert.Equal(new FrameHeader(true, Opcode.Binary, masked, masked ? 0x01020304u : 0, length), header);
    }

    [Fact]
    public void Every_truncated_header_asks_for_more_bytes()
    {
        var bytes = new byte[FrameCodec.MaxHeaderLength];
        int n = FrameCodec.WriteHeader(bytes, Opcode.Binary, 70_000, masked: true, 7);
        for (int i = 0; i < n; i++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, i);
            Assert.False(FrameCodec.TryReadHeader(ref buffer, true, 1 << 20, out _));
            Assert.Equal(i, buffer.Length);
        }
    }

    [Fact]
    public void A_server_refuses_an_unmasked_frame() =>
        Assert.Equal(1002, Refused([0x82, 0x01, 0x00], expectMasked: true).CloseStatus);

    [Fact]
    public void A_client_refuses_a_masked_frame() =>
        Assert.Equal(1002, Refused([0x82, 0x81, 1, 2, 3, 4, 0], expectMasked: false).CloseStatus);

    [Theory]
    [InlineData(0xC2)] // RSV1
    [InlineData(0xA2)] // RSV2
    [InlineData(0x92)] // RSV3
    [InlineData(0x83)] // reserved data opcode
    [InlineData(0x8B)] // reserved control opcode
    public void Reserved_bits_and_opcodes_are_refused(byte first) =>
        Assert.Equal(1002, Refused([first, 0x00], expectMasked: false).CloseStatus);

    [Fact]
    public void A_control_frame_over_125_bytes_is_refused() =>
        Assert.Contains("125", Refused([0x89, 126, 0, 126], expectMasked: false).Message, StringComparison.Ordinal);

    [Fact]
    public void A_fragmented_control_frame_is_refused() =>
        Assert.Contains("fragmented", Refused([0x09, 0x00], expectMasked: false).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(new byte[] { 0x82, 126, 0x00, 0x7D })]                          // 125 in the 16-bit form
    [InlineData(new byte[] { 0x82, 127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF })]        // 65535 in the 64-bit form
    [InlineData(new byte[] { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0 })]           // most significant bit set
    public void Lengths_not_in_their_shortest_valid_form_are_refused(byte[] bytes) =>
        Assert.Equal(1002, Refused(bytes, expectMasked: false).CloseStatus);

    [Fact]
    public void A_frame_over_the_limit_is_refused_with_1009_before_its_payload_arrives()
    {
        var bytes = new byte[FrameCodec.MaxHeaderLength];
        int n = FrameCodec.WriteHeader(bytes, Opcode.Binary, WebSocketConnection.MaxFramePayloadLength + 1, masked: false, 0);
        Assert.Equal(1009, Refused(bytes[..n], expectMasked: false, max: WebSocketConnection.MaxFramePayloadLength).CloseStatus);
    }

    [Fact]
    public void Masking_matches_the_byte_by_byte_rule_at_every_length_and_key_phase()
    {
        var random = new Random(6455);
        for (int length = 0; length < 200; length += 7)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                var source = new byte[length];
                random.NextBytes(source);
                uint key = (uint)random.Next();
                var destination = new byte[length];
                int next = FrameCodec.MaskCopy(source, destination, key, offset);
                byte[] keyBytes = BitConverter.GetBytes(key); // little-endian: wire order
                for (int i = 0; i < length; i++)
                {
                    Assert.Equal((byte)(source[i] ^ keyBytes[(offset + i) % 4]), destination[i]);
                }
                Assert.Equal((offset + length) % 4, next);
            }
        }
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_protocol_error()
    {
        var random = new Random(42);
        var bytes = new byte[16];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(bytes);
            var buffer = new ReadOnlySequence<byte>(bytes, 0, random.Next(0, 17));
            try
            {
                FrameCodec.TryReadHeader(ref buffer, i % 2 == 0, 1 << 20, out _);
            }
            catch (WebSocketProtocolException)
            {
            }
        }
    }
}
