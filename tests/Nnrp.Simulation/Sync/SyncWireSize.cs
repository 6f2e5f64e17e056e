using Google.Protobuf;
using Nnrp.Core.Protocol;
using Nnrp.Node.Shards;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Simulation.Sync;

/// <summary>Bytes a sync exchange puts on the wire, from the real protobuf encoding (§11.1, §11.8).</summary>
internal static class SyncWireSize
{
    /// <summary>
    /// A request on a new stream (§11.1: one request per stream): multistream-select both ways
    /// (`/multistream/1.0.0`, `/nnrp/1.0`) and yamux's window and close frames, as
    /// <c>DhtNetwork.RequestBytes</c> counts them for Kad.
    /// </summary>
    public const int StreamBytes = 90;

    public static int Reconcile(IReadOnlyList<SyncRange> ranges, ShardId shard)
    {
        var reconcile = new SyncReconcile();
        reconcile.Ranges.Add(ranges.Select(SyncWire.ToProto));
        if (shard.Bits > 0)
        {
            reconcile.Shard = shard.ToProto();
        }
        return Framed(new Request { Sync = new SyncRequest { Reconcile = reconcile } }) + StreamBytes;
    }

    public static int Answer(SyncAnswer answer)
    {
        var sync = new SyncResponse { Answered = (uint)answer.Answered };
        sync.Ranges.Add(answer.Ranges.Select(SyncWire.ToProto));
        return Framed(new Response { Status = StatusCode.Ok, Sync = sync });
    }

    /// <summary>A get of <paramref name="ids"/> hashes (§11.8.5).</summary>
    public static int Get(int ids) =>
        StreamBytes + Framed(new Request { Sync = new SyncRequest { Get = new SyncGet { Hashes = { Enumerable.Repeat(ByteString.CopyFrom(new byte[32]), ids) } } } });

    /// <summary>The answer to a get carrying <paramref name="count"/> notifications of <paramref name="notificationBytes"/> each.</summary>
    public static int Got(int count, int notificationBytes) => 8 + (count * (notificationBytes + 3));

    private static int Framed(IMessage message)
    {
        int size = message.CalculateSize();
        return CodedOutputStream.ComputeLengthSize(size) + size;
    }
}
