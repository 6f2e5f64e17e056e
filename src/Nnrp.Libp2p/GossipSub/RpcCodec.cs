using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.GossipSub.Pb;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// The pubsub stream framing (pubsub/README.md "The RPC"): a sequence of uvarint-length-prefixed
/// <c>RPC</c> protobufs. Decoding checks the length before buffering (via
/// <see cref="LengthPrefixed"/>) and every count limit of <see cref="RpcLimits"/> after parsing,
/// so one RPC never costs more than <see cref="RpcLimits.MaxRpcSize"/> plus its object graph.
/// </summary>
internal static class RpcCodec
{
    /// <summary>
    /// Cuts one RPC off <paramref name="buffer"/>; false when more bytes are needed. Throws
    /// <see cref="RpcFormatException"/> for a malformed or over-limit RPC.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, RpcLimits limits, [NotNullWhen(true)] out RPC? rpc)
    {
        if (!LengthPrefixed.TryRead(ref buffer, limits.MaxRpcSize, out ReadOnlySequence<byte> body))
        {
            rpc = null;
            return false;
        }
        rpc = Parse(body, limits);
        return true;
    }

    /// <summary>Parses one RPC body (no length prefix) and checks its limits.</summary>
    public static RPC Parse(ReadOnlySequence<byte> body, RpcLimits limits)
    {
        if (body.Length > limits.MaxRpcSize)
        {
            Throw($"RPC of {body.Length} bytes exceeds {limits.MaxRpcSize}");
        }
        RPC rpc;
        try
        {
            rpc = RPC.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcFormatException("RPC is not a valid protobuf: " + ex.Message, ex);
        }
        CheckLimits(rpc, limits);
        return rpc;
    }

    private static void CheckLimits(RPC rpc, RpcLimits limits)
    {
        if (rpc.Subscriptions.Count > limits.MaxSubscriptionsPerRpc)
        {
            Throw($"RPC carries {rpc.Subscriptions.Count} subscriptions (limit {limits.MaxSubscriptionsPerRpc})");
        }
        // Indexed loops: RepeatedField's enumerator is an iterator object, one per foreach per RPC.
        for (int i = 0; i < rpc.Subscriptions.Count; i++)
        {
            CheckTopic(rpc.Subscriptions[i].Topicid, limits);
        }
        if (rpc.Publish.Count > limits.MaxMessagesPerRpc)
        {
            Throw($"RPC carries {rpc.Publish.Count} messages (limit {limits.MaxMessagesPerRpc})");
        }
        for (int i = 0; i < rpc.Publish.Count; i++)
        {
            Message message = rpc.Publish[i];
            // pubsub/README.md "The Message": topic is required.
            if (!message.HasTopic)
            {
                Throw("message without a topic");
            }
            CheckTopic(message.Topic, limits);
        }
        if (rpc.Control is { } control)
        {
            CheckControl(control, limits);
        }
    }

    private static void CheckControl(ControlMessage control, RpcLimits limits)
    {
        long entries = 0;
        foreach (ControlIHave ihave in control.Ihave)
        {
            CheckTopic(ihave.TopicID, limits);
            entries += 1 + CheckIds(ihave.MessageIDs, limits);
        }
        foreach (ControlIWant iwant in control.Iwant)
        {
            entries += 1 + CheckIds(iwant.MessageIDs, limits);
        }
        foreach (ControlIDontWant idontwant in control.Idontwant)
        {
            entries += 1 + CheckIds(idontwant.MessageIDs, limits);
        }
        foreach (ControlGraft graft in control.Graft)
        {
            CheckTopic(graft.TopicID, limits);
            entries++;
        }
        foreach (ControlPrune prune in control.Prune)
        {
            CheckTopic(prune.TopicID, limits);
            if (prune.Peers.Count > limits.MaxPeersPerPrune)
            {
                Throw($"PRUNE carries {prune.Peers.Count} peers (limit {limits.MaxPeersPerPrune})");
            }
            entries += 1 + prune.Peers.Count;
        }
        if (entries > limits.MaxControlIdsPerRpc)
        {
            Throw($"RPC carries {entries} control entries (limit {limits.MaxControlIdsPerRpc})");
        }
    }

    private static int CheckIds(Google.Protobuf.Collections.RepeatedField<ByteString> ids, RpcLimits limits)
    {
        foreach (ByteString id in ids)
        {
            if (id.Length == 0 || id.Length > limits.MaxMessageIdLength)
            {
                Throw($"message id of {id.Length} bytes (allowed 1..{limits.MaxMessageIdLength})");
            }
        }
        return ids.Count;
    }

    private static void CheckTopic(string topic, RpcLimits limits)
    {
        if (topic.Length == 0 || topic.Length > limits.MaxTopicLength)
        {
            Throw($"topic of {topic.Length} characters (allowed 1..{limits.MaxTopicLength})");
        }
    }

    /// <summary>Writes the length prefix and the RPC into <paramref name="output"/>; returns the bytes written.</summary>
    public static int Write(IBufferWriter<byte> output, RPC rpc)
    {
        int size = rpc.CalculateSize();
        Varint.Write(output, (ulong)size);
        rpc.WriteTo(output);
        return Varint.SizeOf((ulong)size) + size;
    }

    /// <summary>
    /// <c>RPC { publish: [message] }</c> with its length prefix. An RPC that only carries messages
    /// is on the wire just its <c>publish</c> fields (pubsub/README.md "The RPC":
    /// <c>repeated Message publish = 2</c>), so this is prefix, field tag, message length, message.
    /// </summary>
    public static byte[] FrameSingleMessage(Message message)
    {
        int length = message.CalculateSize();
        int body = 1 + Varint.SizeOf((ulong)length) + length;
        byte[] frame = new byte[Varint.SizeOf((ulong)body) + body];
        int offset = Varint.Write(frame, (ulong)body);
        frame[offset++] = PublishFieldTag;
        offset += Varint.Write(frame.AsSpan(offset), (ulong)length);
        message.WriteTo(frame.AsSpan(offset));
        return frame;
    }

    /// <summary>Field 2 (<c>RPC.publish</c>), wire type 2 (length-delimited).</summary>
    private const byte PublishFieldTag = (2 << 3) | 2;

    [DoesNotReturn]
    private static void Throw(string message) => throw new RpcFormatException(message);
}

/// <summary>A peer sent an RPC that is malformed or over a limit; its stream is closed.</summary>
public sealed class RpcFormatException : ProtocolViolationException
{
    public RpcFormatException(string message) : base(message) { }

    public RpcFormatException(string message, Exception inner) : base(message, inner) { }
}
