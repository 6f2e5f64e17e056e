using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.RoutingTable;
using Nnrp.Node.Shards;

namespace Nnrp.Simulation;

/// <summary>One node: its identity, its real Kad routing table, its shard set, and what it holds.</summary>
internal sealed class SimNode
{
    public SimNode(int index, byte[] peerId, KadRoutingTable table, ShardSet shards, long budget)
    {
        Index = index;
        Peer = new KadPeer(peerId, []);
        Table = table;
        Shards = shards;
        Budget = budget;
    }

    public int Index { get; }

    public KadPeer Peer { get; }

    public KadRoutingTable Table { get; }

    public ShardSet Shards { get; set; }

    /// <summary>The deepest depth in the set: what its status tells a client about the depths in use (§8.4).</summary>
    public int DeepestBits => Shards.Shards.Max(static s => s.Bits);

    public long Budget { get; }

    public bool Online { get; set; } = true;

    public long OfflineSince { get; set; }

    /// <summary>Provider records this node keeps for others (DHT key → provider node indexes).</summary>
    public Dictionary<KadKey, List<int>>? Providers { get; set; }

    /// <summary>Bytes of the 90-day backlog of its shards (steady state, §8.2's V times its share).</summary>
    public double BacklogBytes { get; set; }

    /// <summary>Bytes stored during the run (gossip, publish, sync).</summary>
    public double ReceivedBytes { get; set; }

    /// <summary>Traced notifications of restored wallets it stores (indexes into the run's arrivals).</summary>
    public HashSet<int> Traced { get; } = [];

    /// <summary>An Ed25519 peer id (identity multihash of the protobuf public key, §14.1) with a random key.</summary>
    public static byte[] RandomPeerId(Random random)
    {
        byte[] id = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20, .. new byte[32]];
        random.NextBytes(id.AsSpan(6));
        return id;
    }

    public bool Holds(uint tag) => Shards.Holds(Load.Workload.Top16(tag));
}
