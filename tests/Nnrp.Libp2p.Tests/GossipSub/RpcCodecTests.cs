using System.Buffers;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>pubsub/README.md "The RPC": length-prefixed protobuf RPCs, bounded by <see cref="RpcLimits"/>.</summary>
public class RpcCodecTests
{
    private static readonly RpcLimits Limits = new();

    private static byte[] Encode(RPC rpc)
    {
        var buffer = new ArrayBufferWriter<byte>();
        RpcCodec.Write(buffer, rpc);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Rpc_with_every_field_round_trips()
    {
        var rpc = new RPC();
        rpc.Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = true, Topicid = "t" });
        rpc.Publish.Add(new Message { Topic = "t", Data = ByteString.CopyFromUtf8("hello") });
        rpc.Control = new ControlMessage();
        rpc.Control.Ihave.Add(new ControlIHave { TopicID = "t", MessageIDs = { ByteString.CopyFrom(1, 2) } });
        rpc.Control.Iwant.Add(new ControlIWant { MessageIDs = { ByteString.CopyFrom(3) } });
        rpc.Control.Graft.Add(new ControlGraft { TopicID = "t" });
        rpc.Control.Prune.Add(new ControlPrune { TopicID = "t", Backoff = 60, Peers = { new PeerInfo { PeerID = ByteString.CopyFrom(9) } } });
        rpc.Control.Idontwant.Add(new ControlIDontWant { MessageIDs = { ByteString.CopyFrom(4) } });

        var sequence = new ReadOnlySequence<byte>(Encode(rpc));
        Assert.True(RpcCodec.TryRead(ref sequence, Limits, out RPC? decoded));
        Assert.Equal(rpc, decoded);
        Assert.True(sequence.IsEmpty);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(200_000)] // lengths whose varints take 1, 2 and 3 bytes
    public void Single_message_frame_is_the_encoded_rpc_carrying_it(int size)
    {
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);
        var message = new Message { Topic = "/nnrp/t", Data = ByteString.CopyFrom(data), Seqno = ByteString.CopyFrom(1, 2, 3) };
        Assert.Equal(Encode(new RPC { Publish = { message } }), RpcCodec.FrameSingleMessage(message));
    }

    [Fact]
    public void Idontwant_uses_control_field_5_as_in_the_v1_2_spec()
    {
        var rpc = new RPC { Control = new ControlMessage { Idontwant = { new ControlIDontWant { MessageIDs = { ByteString.CopyFrom(7) } } } } };
        byte[] body = rpc.ToByteArray();
        // RPC.control (3, LEN) → ControlMessage.idontwant (5, LEN) → messageIDs (1, LEN) [07]
        Assert.Equal(new byte[] { 0x1A, 0x05, 0x2A, 0x03, 0x0A, 0x01, 0x07 }, body);
    }

    [Fact]
    public void Partial_rpc_needs_more_bytes()
    {
        byte[] whole = Encode(new RPC { Publish = { new Message { Topic = "t", Data = ByteString.CopyFrom(new byte[100]) } } });
        var partial = new ReadOnlySequence<byte>(whole, 0, whole.Length - 1);
        Assert.False(RpcCodec.TryRead(ref partial, Limits, out _));
    }

    [Fact]
    public void Length_prefix_over_the_rpc_size_limit_is_rejected_before_the_body_arrives()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Varint.Write(buffer, (ulong)Limits.MaxRpcSize + 1);
        var sequence = new ReadOnlySequence<byte>(buffer.WrittenMemory);
        Assert.Throws<MessageTooLargeException>(() => RpcCodec.TryRead(ref sequence, Limits, out _));
    }

    [Fact]
    public void Message_without_topic_is_rejected()
    {
        var sequence = new ReadOnlySequence<byte>(Encode(new RPC { Publish = { new Message { Data = ByteString.CopyFrom(1) } } }));
        Assert.Throws<RpcFormatException>(() => RpcCodec.TryRead(ref sequence, Limits, out _));
    }

    [Fact]
    public void Too_many_messages_in_one_rpc_are_rejected()
    {
        var rpc = new RPC();
        for (int i = 0; i <= Limits.MaxMessagesPerRpc; i++)
        {
            rpc.Publish.Add(new Message { Topic = "t" });
        }
        var sequence = new ReadOnlySequence<byte>(Encode(rpc));
        Assert.Throws<RpcFormatException>(() => RpcCodec.TryRead(ref sequence, Limits, out _));
    }

    [Fact]
    public void Too_many_subscriptions_in_one_rpc_are_rejected()
    {
        var limits = new RpcLimits { MaxSubscriptionsPerRpc = 2 };
        var rpc = new RPC();
        for (int i = 0; i < 3; i++)
        {
            rpc.Subscriptions.Add(new RPC.Types.SubOpts { Subscribe = true, Topicid = "t" + i });
        }
        var sequence = new ReadOnlySequence<byte>(Encode(rpc));
        Assert.Throws<RpcFormatException>(() => RpcCodec.TryRead(ref sequence, limits, out _));
    }

    [Fact]
    public void Oversized_message_id_and_control_floods_are_rejected()
    {
        var limits = new RpcLimits { MaxControlIdsPerRpc = 10 };
        var longId = new RPC { Control = new ControlMessage { Iwant = { new ControlIWant { MessageIDs = { ByteString.CopyFrom(new byte[limits.MaxMessageIdLength + 1]) } } } } };
        var flood = new RPC { Control = new ControlMessage { Iwant = { new ControlIWant { MessageIDs = { Enumerable.Range(0, 11).Select(i => ByteString.CopyFrom((byte)i)) } } } } };
        foreach (RPC rpc in new[] { longId, flood })
        {
            var sequence = new ReadOnlySequence<byte>(Encode(rpc));
            Assert.Throws<RpcFormatException>(() => RpcCodec.TryRead(ref sequence, limits, out _));
        }
    }

    [Fact]
    public void Random_truncated_and_oversized_input_yields_a_typed_error_or_a_valid_rpc()
    {
        var random = new Random(4);
        byte[] valid = Encode(new RPC
        {
            Subscriptions = { new RPC.Types.SubOpts { Subscribe = true, Topicid = "topic" } },
            Publish = { new Message { Topic = "topic", Data = ByteString.CopyFrom(new byte[40]) } },
            Control = new ControlMessage { Graft = { new ControlGraft { TopicID = "topic" } } },
        });
        for (int i = 0; i < 5000; i++)
        {
            byte[] input;
            switch (i % 3)
            {
                case 0:
                    input = new byte[random.Next(0, 200)];
                    random.NextBytes(input);
                    break;
                case 1:
                    input = valid[..random.Next(0, valid.Length)];
                    break;
                default:
                    input = (byte[])valid.Clone();
                    input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                    break;
            }
            var sequence = new ReadOnlySequence<byte>(input);
            try
            {
                while (RpcCodec.TryRead(ref sequence, Limits, out RPC? rpc))
                {
                    Assert.NotNull(rpc);
                }
            }
            catch (ProtocolViolationException)
            {
                // the typed error the stream handler turns into a closed stream
            }
        }
    }
}
