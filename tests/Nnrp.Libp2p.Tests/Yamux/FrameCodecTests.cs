using System.Buffers;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Tests.Yamux;

public class FrameCodecTests
{
    [Fact]
    public void Header_is_twelve_big_endian_bytes()
    {
        var bytes = new byte[FrameHeader.Size];
        FrameCodec.Write(bytes, new FrameHeader(FrameType.WindowUpdate, FrameFlags.Syn | FrameFlags.Fin, 0x01020304, 0x00040000));
        Assert.Equal(new byte[] { 0, 1, 0, 5, 1, 2, 3, 4, 0, 4, 0, 0 }, bytes);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5 }, 0, 0, 1u, 5u)]
    [InlineData(new byte[] { 0, 2, 0, 2, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef }, 2, 2, 0u, 0xdeadbeefu)]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 3, 0, 0u, 1u)]
    [InlineData(new byte[] { 0, 1, 0, 8, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0 }, 1, 8, 0xfffffffeu, 0u)]
    public void Header_vectors_decode(byte[] bytes, int type, int flags, uint streamId, uint length)
    {
        Assert.True(FrameCodec.TryReadHeader(new ReadOnlySequence<byte>(bytes), out FrameHeader header));
        Assert.Equal(new FrameHeader((FrameType)type, (FrameFlags)flags, streamId, length), header);
    }

    [Fact]
    public void Header_split_across_segments_decodes()
    {
        byte[] bytes = [0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 1, 0];
        ReadOnlySequence<byte> split = Segments.Of(bytes[..5], bytes[5..9], bytes[9..]);
        Assert.True(FrameCodec.TryReadHeader(split, out FrameHeader header));
        Assert.Equal(new FrameHeader(FrameType.Data, FrameFlags.Syn, 3, 256), header);
    }

    [Fact]
    public void Fewer_than_twelve_bytes_need_more()
    {
        Assert.False(FrameCodec.TryReadHeader(new ReadOnlySequence<byte>(new byte[11]), out _));
    }

    [Fact]
    public void Frame_with_unknown_version_is_rejected()
    {
        byte[] bytes = [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        Assert.Throws<YamuxProtocolException>(() => FrameCodec.TryReadHeader(new ReadOnlySequence<byte>(bytes), out _));
    }

    [Fact]
    public void Frame_with_unknown_type_is_rejected()
    {
        byte[] bytes = [0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        Assert.Throws<YamuxProtocolException>(() => FrameCodec.TryReadHeader(new ReadOnlySequence<byte>(bytes), out _));
    }

    [Fact]
    public void Unknown_flag_bits_are_ignored_but_kept()
    {
        byte[] bytes = [0, 0, 0x80, 0x01, 0, 0, 0, 1, 0, 0, 0, 0];
        Assert.True(FrameCodec.TryReadHeader(new ReadOnlySequence<byte>(bytes), out FrameHeader header));
        Assert.True((header.Flags & FrameFlags.Syn) != 0);
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(params byte[][] parts)
        {
            var first = new Segments(parts[0], 0);
            Segments last = first;
            for (int i = 1; i < parts.Length; i++)
            {
                var next = new Segments(parts[i], last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
