using System.Buffers;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Tests.Encoding;

/// <summary>multiformats/unsigned-varint: examples from the spec's README.</summary>
public class VarintTests
{
    [Theory]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(127UL, new byte[] { 0x7f })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(255UL, new byte[] { 0xff, 0x01 })]
    [InlineData(300UL, new byte[] { 0xac, 0x02 })]
    [InlineData(16384UL, new byte[] { 0x80, 0x80, 0x01 })]
    public void Spec_examples_encode_and_decode(ulong value, byte[] encoded)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        int n = Varint.Write(buffer, value);
        Assert.Equal(encoded, buffer[..n].ToArray());
        Assert.Equal(n, Varint.SizeOf(value));
        Assert.True(Varint.TryRead(encoded, out ulong decoded, out int consumed));
        Assert.Equal(value, decoded);
        Assert.Equal(encoded.Length, consumed);
    }

    [Fact]
    public void Truncated_input_asks_for_more()
    {
        Assert.False(Varint.TryRead(new byte[] { 0x80, 0x80 }, out _, out _));
        Assert.False(Varint.TryRead(ReadOnlySpan<byte>.Empty, out _, out _));
    }

    [Fact]
    public void Non_minimal_encoding_is_refused()
    {
        Assert.Throws<VarintFormatException>(() => Varint.TryRead(new byte[] { 0x81, 0x00 }, out _, out _));
    }

    [Fact]
    public void More_than_nine_bytes_is_refused()
    {
        byte[] tooLong = Enumerable.Repeat((byte)0xff, 12).ToArray();
        Assert.Throws<VarintFormatException>(() => Varint.TryRead(tooLong, out _, out _));
    }

    [Fact]
    public void Sequence_reader_decodes_across_segment_boundaries()
    {
        var first = new Segment(new byte[] { 0x80 });
        var last = first.Append(new byte[] { 0x80, 0x01, 0x42 });
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        var reader = new SequenceReader<byte>(sequence);
        Assert.True(Varint.TryRead(ref reader, out ulong value));
        Assert.Equal(16384UL, value);
        Assert.Equal(1, reader.Remaining);
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_format_error()
    {
        var random = new Random(7);
        var buffer = new byte[16];
        for (int i = 0; i < 10_000; i++)
        {
            random.NextBytes(buffer);
            int len = random.Next(buffer.Length + 1);
            try
            {
                if (Varint.TryRead(buffer.AsSpan(0, len), out ulong v, out int used))
                {
                    Assert.InRange(used, 1, Varint.MaxLength);
                    Assert.Equal(used, Varint.SizeOf(v));
                }
            }
            catch (VarintFormatException)
            {
            }
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
