using System.Buffers;
using System.Buffers.Binary;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// noise-libp2p "Wire Format": every Noise message, handshake or transport, travels as
/// <code>
///   ┌──────────────────────────┬─────────────────────────────────────────┐
///   │ noise_message_len u16 BE │ noise_message (≤ 65535 bytes)           │
///   └──────────────────────────┴─────────────────────────────────────────┘
///   transport noise_message = ChaCha20-Poly1305(plaintext) ‖ 16-byte tag
/// </code>
/// </summary>
internal static class NoiseFrame
{
    public const int HeaderLength = 2;

    /// <summary>Noise rev 34 §3: "Noise messages are limited to 65535 bytes"; the u16 prefix says the same.</summary>
    public const int MaxMessageLength = ushort.MaxValue;

    /// <summary>Largest plaintext one transport message carries: the message limit less the tag.</summary>
    public const int MaxPlaintextLength = MaxMessageLength - CipherState.TagLength;

    /// <summary>Cuts one message off the front of <paramref name="buffer"/>; false when more bytes are needed.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }
        int length;
        if (buffer.FirstSpan.Length >= HeaderLength)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(buffer.FirstSpan);
        }
        else
        {
            Span<byte> header = stackalloc byte[HeaderLength];
            buffer.Slice(0, HeaderLength).CopyTo(header);
            length = BinaryPrimitives.ReadUInt16BigEndian(header);
        }
        if (buffer.Length < HeaderLength + length)
        {
            return false;
        }
        message = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    public static void WriteHeader(Span<byte> destination, int messageLength)
    {
        if ((uint)messageLength > MaxMessageLength)
        {
            throw new ArgumentOutOfRangeException(nameof(messageLength), messageLength, $"a Noise message is at most {MaxMessageLength} bytes");
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)messageLength);
    }
}
