using System.Buffers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.GossipSub.Pb;

namespace Nnrp.Libp2p.GossipSub.Service;

/// <summary>
/// Encodes a message once for every peer it goes to. An RPC that only carries messages is, on
/// the wire, the concatenation of its <c>publish</c> fields (pubsub/README.md "The RPC":
/// <c>repeated Message publish = 2</c>), so each message's field bytes (tag, length, body) are
/// made on first use, kept with the message object, and copied into every peer's stream.
/// </summary>
internal static class PublishEncoding
{
    /// <summary>Field 2, wire type 2 (length-delimited): <c>RPC.publish</c>.</summary>
    private const byte PublishFieldTag = (2 << 3) | 2;

    // Keyed by the message object: the router hands the same instance to every peer and keeps it
    // in the message cache for IWANT; the bytes go when the message does.
    private static readonly ConditionalWeakTable<Message, byte[]> Encoded = new();

    /// <summary>Whether <paramref name="rpc"/> carries messages and nothing else.</summary>
    public static bool IsPublishOnly(RPC rpc) => rpc.Publish.Count > 0 && rpc.Subscriptions.Count == 0 && rpc.Control is null;

    /// <summary>The RPC body size of <paramref name="rpc"/> (publish-only), from the cached field bytes.</summary>
    public static int BodySize(RPC rpc)
    {
        int size = 0;
        foreach (Message message in rpc.Publish)
        {
            size += FieldBytes(message).Length;
        }
        return size;
    }

    /// <summary>Writes the length prefix and the body of a publish-only RPC of <paramref name="bodySize"/> bytes.</summary>
    public static void Write(IBufferWriter<byte> output, RPC rpc, int bodySize)
    {
        Varint.Write(output, (ulong)bodySize);
        foreach (Message message in rpc.Publish)
        {
            output.Write(FieldBytes(message));
        }
    }

    private static byte[] FieldBytes(Message message) => Encoded.GetValue(message, static m =>
    {
        int length = m.CalculateSize();
        int prefix = 1 + Varint.SizeOf((ulong)length);
        byte[] bytes = new byte[prefix + length];
        bytes[0] = PublishFieldTag;
        Varint.Write(bytes.AsSpan(1), (ulong)length);
        m.WriteTo(bytes.AsSpan(prefix));
        return bytes;
    });
}
