using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// RFC 6455 §5.2 base framing:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-------+-+-------------+-------------------------------+
/// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
/// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
/// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
/// | |1|2|3|       |K|             |                               |
/// +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
/// |     Extended payload length continued, if payload len == 127  |
/// + - - - - - - - - - - - - - - - +-------------------------------+
/// |                               |Masking-key, if MASK set to 1  |
/// +-------------------------------+-------------------------------+
/// | Masking-key (continued)       |          Payload Data         |
/// +-------------------------------- - - - - - - - - - - - - - - - +
/// </code>
/// No extension is ever negotiated, so every RSV bit must be 0.
/// </summary>
internal static class FrameCodec
{
    /// <summary>RFC 6455 §5.5: control frames carry at most 125 payload bytes and are never fragmented.</summary>
    public const int MaxControlPayloadLength = 125;

    /// <summary>2 bytes, 8 of extended length, 4 of mask.</summary>
    public const int MaxHeaderLength = 14;

    /// <summary>
    /// Reads one frame header. Returns false when more bytes are needed; throws
    /// <see cref="WebSocketProtocolException"/> for a frame the rules forbid, before any of its
    /// payload is buffered. On success <paramref name="buffer"/> starts at the payload.
    /// <paramref name="expectMasked"/>: RFC 6455 §5.1, a server closes on an unmasked frame,
    /// a client on a masked one.
    /// </summary>
    public static bool TryReadHeader(ref ReadOnlySequence<byte> buffer, bool expectMasked, long maxPayloadLength, out FrameHeader header)
    {
        header = default;
        if (buffer.Length < 2)
        {
            return false;
        }
        Span<byte> head = stackalloc byte[MaxHeaderLength];
        int available = (int)Math.Min(buffer.Length, MaxHeaderLength);
        buffer.Slice(0, available).CopyTo(head);
        byte b0 = head[0];
        byte b1 = head[1];
        bool fin = (b0 & 0x80) != 0;
        var opcode = (Opcode)(b0 & 0x0F);
        bool masked = (b1 & 0x80) != 0;
        int length7 = b1 & 0x7F;
        if ((b0 & 0x70) != 0)
        {
            Fail(CloseStatus.ProtocolError, "reserved bits set without a negotiated extension");
        }
        if (opcode is not (Opcode.Continuation or Opcode.Text or Opcode.Binary or Opcode.Close or Opcode.Ping or Opcode.Pong))
        {
            Fail(CloseStatus.ProtocolError, $"unknown opcode 0x{(byte)opcode:x}");
        }
        if (masked != expectMasked)
        {
            Fail(CloseStatus.ProtocolError, expectMasked ? "a client sent an unmasked frame" : "a server sent a masked frame");
        }
        bool control = ((byte)opcode & 0x8) != 0;
        if (control && (!fin || length7 > MaxControlPayloadLength))
        {
            Fail(CloseStatus.ProtocolError, !fin ? "fragmented control frame" : "control frame payload over 125 bytes");
        }
        int lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (available < headerLength)
        {
            return false;
        }
        long length = length7;
        if (lengthBytes == 2)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
            if (length < 126)
            {
                Fail(CloseStatus.ProtocolError, "payload length not in its shortest form");
            }
        }
        else if (lengthBytes == 8)
        {
            ulong wide = BinaryPrimitives.ReadUInt64BigEndian(head[2..]);
            if (wide > long.MaxValue)
            {
                Fail(CloseStatus.ProtocolError, "payload length has its most significant bit set");
            }
            length = (long)wide;
            if (length <= ushort.MaxValue)
            {
                Fail(CloseStatus.ProtocolError, "payload length not in its shortest form");
            }
        }
        if (length > maxPayloadLength)
        {
            Fail(CloseStatus.TooBig, $"frame of {length} bytes exceeds the limit of {maxPayloadLength}");
        }
        uint key = masked ? BinaryPrimitives.ReadUInt32LittleEndian(head[(2 + lengthBytes)..]) : 0;
        header = new FrameHeader(fin, opcode, masked, key, length);
        buffer = buffer.Slice(headerLength);
        return true;
    }

    public static int HeaderLength(long payloadLength, bool masked) =>
        (payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10) + (masked ? 4 : 0);

    /// <summary>Writes a FIN frame header into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, Opcode opcode, long payloadLength, bool masked, uint maskKey)
    {
        destination[0] = (byte)(0x80 | (byte)opcode);
        byte mask = masked ? (byte)0x80 : (byte)0;
        int n;
        if (payloadLength < 126)
        {
            destination[1] = (byte)(mask | (byte)payloadLength);
            n = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(mask | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            n = 4;
        }
        else
        {
            destination[1] = (byte)(mask | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            n = 10;
        }
        if (masked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[n..], maskKey);
            n += 4;
        }
        return n;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> XOR-ing it with the
    /// masking key (RFC 6455 §5.3: byte i of the payload with key byte i mod 4), starting at key
    /// byte <paramref name="keyOffset"/>. Source and destination may be the same span. Returns
    /// the key offset for the byte after the last one.
    /// </summary>
    public static int MaskCopy(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int keyOffset)
    {
        // The key as it lies on the wire, read little-endian: byte k of the key is bits 8k..8k+7,
        // so rotating right by 8·offset puts the next key byte in the lowest position.
        uint rotated = BitOperations.RotateRight(maskKey, 8 * keyOffset);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && source.Length >= Vector256<byte>.Count)
        {
            Vector256<byte> key = Vector256.Create(rotated).AsByte();
            for (; i <= source.Length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                (Vector256.Create(source.Slice(i, Vector256<byte>.Count)) ^ key).CopyTo(destination[i..]);
            }
        }
        else if (Vector128.IsHardwareAccelerated && source.Length >= Vector128<byte>.Count)
        {
            Vector128<byte> key = Vector128.Create(rotated).AsByte();
            for (; i <= source.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                (Vector128.Create(source.Slice(i, Vector128<byte>.Count)) ^ key).CopyTo(destination[i..]);
            }
        }
        // Vector widths are multiples of 4, so the key phase is unchanged here.
        for (; i < source.Length; i++)
        {
            destination[i] = (byte)(source[i] ^ (byte)(rotated >> (8 * (i & 3))));
        }
        return (keyOffset + source.Length) & 3;
    }

    [DoesNotReturn]
    private static void Fail(ushort status, string message) => throw new WebSocketProtocolException(status, message);
}
