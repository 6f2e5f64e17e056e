using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>The per-peer writer: direct writes while idle, the loop under back-pressure, order, bounded queues.</summary>
public class PeerSenderTests
{
    private static readonly RpcLimits Limits = new();

    private static (PeerSender Sender, Pipe Wire) Start(long pauseWriterThreshold = 0)
    {
        var wire = new Pipe(new PipeOptions(pauseWriterThreshold: pauseWriterThreshold, resumeWriterThreshold: pauseWriterThreshold / 2, useSynchronizationContext: false));
        var sender = new PeerSender(KeyPair.Generate().PeerId, Limits.MaxRpcSize, NullLogger.Instance);
        sender.Start(_ => Task.FromResult<IDuplexPipe>(new Duplex(new Pipe().Reader, wire.Writer)));
        return (sender, wire);
    }

    private static RPC Numbered(int i) => new() { Subscriptions = { new RPC.Types.SubOpts { Subscribe = true, Topicid = "t" + i } } };

    private static async Task<List<int>> ReadNumbersAsync(PipeReader reader, int count)
    {
        var numbers = new List<int>();
        while (numbers.Count < count)
        {
            ReadResult result = await reader.ReadAsync().AsTask().WaitAsync(InMemoryNetwork.Timeout);
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (RpcCodec.TryRead(ref buffer, Limits, out RPC? rpc))
            {
                numbers.Add(int.Parse(rpc.Subscriptions[0].Topicid.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(result.IsCompleted && numbers.Count < count, "stream ended early");
        }
        return numbers;
    }

    [Fact]
    public async Task Idle_sender_writes_and_flushes_on_the_callers_thread()
    {
        var (sender, wire) = Start();
        await InMemoryNetwork.Eventually(() => sender.IsIdle, "the writer loop to park");

        Assert.True(sender.TryEnqueue(Numbered(7), OutboundKind.Forward));

        // No hop to the loop: the bytes are readable as soon as TryEnqueue returns.
        Assert.True(wire.Reader.TryRead(out ReadResult result));
        ReadOnlySequence<byte> buffer = result.Buffer;
        Assert.True(RpcCodec.TryRead(ref buffer, Limits, out RPC? rpc));
        Assert.Equal("t7", rpc.Subscriptions[0].Topicid);
        wire.Reader.AdvanceTo(buffer.Start);
        sender.Stop();
        await sender.Completion.WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task Rpcs_arrive_in_order_when_flushes_wait_on_a_slow_reader()
    {
        // A tiny pause threshold makes nearly every flush wait: RPCs alternate between the direct
        // path, the pending-flush handover and the loop's queue, and must still arrive in order.
        var (sender, wire) = Start(pauseWriterThreshold: 64);
        const int count = 2000;
        Task<List<int>> reading = ReadNumbersAsync(wire.Reader, count);
        for (int i = 0; i < count; i++)
        {
            Assert.True(sender.TryEnqueue(Numbered(i), OutboundKind.Control));
            if (i % 100 == 0)
            {
                await Task.Yield();
            }
        }
        List<int> numbers = await reading;
        Assert.Equal(Enumerable.Range(0, count), numbers);
        Assert.Equal(0, sender.Dropped);
        sender.Stop();
        await sender.Completion.WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task Relays_to_a_peer_that_stops_reading_are_dropped_beyond_the_forward_queue()
    {
        var (sender, _) = Start(pauseWriterThreshold: 1024);
        await InMemoryNetwork.Eventually(() => sender.IsIdle, "the writer loop to park");
        const int count = PeerSender.ForwardQueueCapacity + 500;
        int accepted = 0;
        for (int i = 0; i < count; i++)
        {
            accepted += sender.TryEnqueue(Numbered(i), OutboundKind.Forward) ? 1 : 0;
        }
        // What fits the pipe before it pauses, plus one full queue; the rest is dropped and counted.
        Assert.InRange(accepted, PeerSender.ForwardQueueCapacity, PeerSender.ForwardQueueCapacity + 200);
        Assert.Equal(count - accepted, sender.Dropped);
        Assert.False(sender.Completion.IsCompleted, "dropping relays does not cut the peer off");
        sender.Stop();
        await sender.Completion.WaitAsync(InMemoryNetwork.Timeout);
    }

    [Fact]
    public async Task Stop_completes_the_stream_and_later_rpcs_are_refused()
    {
        var (sender, wire) = Start();
        await InMemoryNetwork.Eventually(() => sender.IsIdle, "the writer loop to park");
        sender.Stop();
        await sender.Completion.WaitAsync(InMemoryNetwork.Timeout);

        Assert.False(sender.TryEnqueue(Numbered(1), OutboundKind.Control));
        ReadResult result = await wire.Reader.ReadAsync().AsTask().WaitAsync(InMemoryNetwork.Timeout);
        Assert.True(result.IsCompleted);
        Assert.True(result.Buffer.IsEmpty);
    }

    [Fact]
    public async Task Reader_that_completes_ends_the_sender()
    {
        var (sender, wire) = Start();
        await InMemoryNetwork.Eventually(() => sender.IsIdle, "the writer loop to park");
        await wire.Reader.CompleteAsync();

        sender.TryEnqueue(Numbered(1), OutboundKind.Control);
        await sender.Completion.WaitAsync(InMemoryNetwork.Timeout);
        Assert.False(sender.TryEnqueue(Numbered(2), OutboundKind.Control));
    }

    [Fact]
    public async Task Pre_encoded_frames_and_encoded_rpcs_give_the_same_bytes()
    {
        var (sender, wire) = Start();
        var random = new Random(9);
        var messages = Enumerable.Range(0, 3).Select(i =>
        {
            byte[] data = new byte[100 + (i * 300)];
            random.NextBytes(data);
            return new Message { Topic = "/t", Data = Google.Protobuf.ByteString.CopyFrom(data), Seqno = Google.Protobuf.ByteString.CopyFrom([(byte)i]) };
        }).ToList();
        var batch = new RPC { Publish = { messages } };
        var single = new RPC { Publish = { messages[1] } };
        var control = new RPC { Control = new ControlMessage { Graft = { new ControlGraft { TopicID = "/t" } } } };
        var expected = new ArrayBufferWriter<byte>();
        byte[] frame = RpcCodec.FrameSingleMessage(messages[1]);
        foreach (RPC rpc in new[] { batch, single, control, single })
        {
            Assert.True(sender.TryEnqueue(rpc, OutboundKind.Forward, ReferenceEquals(rpc, single) ? frame : default));
            RpcCodec.Write(expected, rpc);
        }

        var received = new List<byte>();
        while (received.Count < expected.WrittenCount)
        {
            ReadResult result = await wire.Reader.ReadAsync().AsTask().WaitAsync(InMemoryNetwork.Timeout);
            received.AddRange(result.Buffer.ToArray());
            wire.Reader.AdvanceTo(result.Buffer.End);
        }
        Assert.Equal(expected.WrittenSpan.ToArray(), received.ToArray());
        sender.Stop();
        await sender.Completion.WaitAsync(InMemoryNetwork.Timeout);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
