using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Pb;

namespace Nnrp.Benchmarks.Libp2p;

/// <summary>
/// Relaying one 200-byte message to a mesh of 6: encoding <c>RPC { publish: [m] }</c> for every
/// peer (before) against framing it once and copying the frame per peer (Outbox frames), and the
/// parse + validate-limits of one received RPC for scale.
/// </summary>
[MemoryDiagnoser]
public class GossipSubEncodeBenchmarks
{
    private const int MeshPeers = 6;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private readonly RpcLimits _limits = new();
    private Message _message = null!;
    private byte[] _received = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] data = new byte[200];
        new Random(1).NextBytes(data);
        _message = new Message { Topic = "/nnrp/notifications/1.0", Data = ByteString.CopyFrom(data) };
        _received = RpcCodec.FrameSingleMessage(_message);
    }

    [Benchmark(Baseline = true, Description = "encode RPC per peer (6 peers)")]
    public int EncodePerPeer()
    {
        _output.ResetWrittenCount();
        for (int i = 0; i < MeshPeers; i++)
        {
            RpcCodec.Write(_output, new RPC { Publish = { _message } });
        }
        return _output.WrittenCount;
    }

    [Benchmark(Description = "frame once, copy per peer (6 peers)")]
    public int FrameOnce()
    {
        _output.ResetWrittenCount();
        byte[] frame = RpcCodec.FrameSingleMessage(_message);
        for (int i = 0; i < MeshPeers; i++)
        {
            _output.Write(frame);
        }
        return _output.WrittenCount;
    }

    [Benchmark(Description = "parse + check one received RPC")]
    public int Parse()
    {
        var buffer = new ReadOnlySequence<byte>(_received);
        return RpcCodec.TryRead(ref buffer, _limits, out RPC? rpc) ? rpc.Publish.Count : 0;
    }
}
