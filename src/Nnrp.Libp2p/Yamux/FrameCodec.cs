using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// Reads and writes <see cref="FrameHeader"/>s. Payload bytes are not handled here: the
/// session checks a data frame's length against the stream's receive window before it waits
/// for a single payload byte (spec, "Flow Control"), so a peer cannot make us buffer more than
/// it was granted.
/// </summary>
internal static class FrameCodec
{
    /// <summary>
    /// Decodes the header at the front of <paramref name="buffer"/> without consuming it.
    /// Returns false when fewer than 12 bytes are buffered; throws
    /// <see cref="YamuxProtocolException"/> for an unknown version or type.
    /// </summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header)
    {
        if (buffer.Length < FrameHeader.Size)
        {
            header = default;
            return false;
        }
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= FrameHeader.Size)
        {
            header = Parse(first);
            return true;
        }
        Span<byte> copy = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(copy);
        header = Parse(copy);
        return true;
    }

    public static FrameHeader Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes[0] != FrameHeader.ProtocolVersion)
        {
            ThrowUnknownVersion(bytes[0]);
        }
        if (bytes[1] > (byte)FrameType.GoAway)
        {
            ThrowUnknownType(bytes[1]);
        }
        return new FrameHeader(
            (FrameType)bytes[1],
            (FrameFlags)BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]));
    }

    public static void Write(Span<byte> destination, in FrameHeader header)
    {
        destination[0] = FrameHeader.ProtocolVersion;
        destination[1] = (byte)header.Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)header.Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], header.StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], header.Length);
    }

    /// <summary>Appends a header to the pipe without flushing.</summary>
    public static void Write(PipeWriter output, in FrameHeader header)
    {
        Write(output.GetSpan(FrameHeader.Size), header);
        output.Advance(FrameHeader.Size);
    }

    private static void ThrowUnknownVersion(byte version) =>
        throw new YamuxProtocolException($"unknown yamux version {version} (only 0 is defined)");

    private static void ThrowUnknownType(byte type) =>
        throw new YamuxProtocolException($"unknown yamux frame type 0x{type:x2}");
}
