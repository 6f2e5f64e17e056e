using Google.Protobuf;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// The <c>PublicKey</c>/<c>PrivateKey</c> messages of peer-ids/peer-ids.md "Keys" (both have
/// the same shape). Writing is done by hand because the spec demands a deterministic encoding
/// — fields in tag order, both present, minimal varints — and the peer id hashes these bytes:
/// <code>
///   ┌──────┬──────┬──────┬──────────────┬──────────────┐
///   │ 0x08 │ type │ 0x12 │ uvarint len  │ data         │
///   └──────┴──────┴──────┴──────────────┴──────────────┘
/// </code>
/// Reading goes through the generated parser and then insists that both fields were present.
/// </summary>
internal static class KeyProtobuf
{
    /// <summary>Largest key message we parse; a 4096-bit RSA private key is about 2.4 KB.</summary>
    public const int MaxEncodedLength = 8 * 1024;

    private const byte TypeTag = 1 << 3 | 0;  // field 1, varint
    private const byte DataTag = 2 << 3 | 2;  // field 2, length-delimited

    public static byte[] Write(KeyType type, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[3 + Varint.SizeOf((ulong)data.Length) + data.Length];
        bytes[0] = TypeTag;
        bytes[1] = (byte)type;
        bytes[2] = DataTag;
        int n = 3 + Varint.Write(bytes.AsSpan(3), (ulong)data.Length);
        data.CopyTo(bytes.AsSpan(n));
        return bytes;
    }

    public static (KeyType Type, byte[] Data) Read(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length > MaxEncodedLength)
        {
            throw new ProtocolViolationException($"{what} of {bytes.Length} bytes exceeds {MaxEncodedLength}");
        }
        Protobuf.PublicKey message;
        try
        {
            message = Protobuf.PublicKey.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtocolViolationException($"{what} is not a valid protobuf message: {e.Message}", e);
        }
        if (!message.HasType || !message.HasData)
        {
            throw new ProtocolViolationException($"{what} lacks its required Type or Data field");
        }
        var type = (KeyType)message.Type;
        if (!Enum.IsDefined(type))
        {
            throw new ProtocolViolationException($"{what} has unknown key type {(int)message.Type}");
        }
        return (type, message.Data.ToByteArray());
    }
}
