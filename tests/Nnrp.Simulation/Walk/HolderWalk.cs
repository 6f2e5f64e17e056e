using Nnrp.Client.Network;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Shards;
using Nnrp.Simulation.Dht;
using Nnrp.Simulation.Engine;

namespace Nnrp.Simulation.Walk;

/// <summary>What a walk found: verified holders in the order §8.4 tries them, and when it ended.</summary>
internal sealed record WalkResult(List<int> Holders, long Started, long Ended, int Lookups);

/// <summary>
/// §8.4 "Finding holders" as the client runs it, over the simulated DHT: the start depth from the
/// real <see cref="DepthEvidence"/> fed the statuses of up to <see cref="HolderSearch.EvidenceSample"/>
/// routing-table peers, the depths from the real <see cref="HolderSearch.Depths"/>, for each a
/// GET_PROVIDERS lookup (real <c>ClosestPeersLookup</c>) of up to 16 providers, a status probe of
/// the new ones (all at once, <see cref="StatusProbe.StatusTimeout"/> each), and a stop at
/// wanted + 2 verified holders, <see cref="HolderSearch.MaxLookups"/> lookups or <see cref="HolderSearch.Timeout"/>.
/// </summary>
internal sealed class HolderWalk(SimNode[] nodes, DhtNetwork dht, EventQueue queue, Links links, Traffic traffic)
{
    private readonly SimNode[] _nodes = nodes;
    private readonly DhtNetwork _dht = dht;
    private readonly EventQueue _queue = queue;
    private readonly Links _links = links;
    private readonly Traffic _traffic = traffic;

    /// <summary>A status request and its answer (shards, thresholds, stored bytes) on /nnrp/1.0, modelled sizes.</summary>
    public const int StatusRequestBytes = 60;
    public const int StatusResponseBytes = 220;

    /// <summary>§8.4 looks up "up to 16 providers" per depth.</summary>
    public const int ProvidersPerLookup = 16;

    private readonly Dictionary<ShardId, KadKey> _keys = [];

    public KadKey KeyOf(ShardId shard)
    {
        if (!_keys.TryGetValue(shard, out KadKey key))
        {
            _keys[shard] = key = KadKey.Hash(shard.WireKey());
        }
        return key;
    }

    /// <summary>Runs the walk for <paramref name="tag"/> from a client beside node <paramref name="origin"/>, for <paramref name="wanted"/> holders (+2 spares).</summary>
    public void Run(int origin, uint tag, int wanted, double weight, Action<WalkResult> done)
    {
        var evidence = new DepthEvidence();
        var self = new StatusResponse();
        foreach (ShardId s in _nodes[origin].Shards.Shards)
        {
            self.Shards.Add(s.ToProto());
        }
        evidence.Observe(self);
        foreach (KadPeer peer in _nodes[origin].Table.AllPeers().Take(HolderSearch.EvidenceSample))
        {
            SimNode sampled = _nodes[_dht.IndexOf(peer)];
            if (sampled.Online)
            {
                var status = new StatusResponse();
                foreach (ShardId s in sampled.Shards.Shards)
                {
                    status.Shards.Add(s.ToProto());
                }
                evidence.Observe(status);
            }
        }
        new State(this, origin, tag, wanted + 2, HolderSearch.Depths(evidence.StartDepth), weight, done).Step();
    }

    private sealed class State(HolderWalk walk, int origin, uint tag, int enough, IReadOnlyList<int> depths, double weight, Action<WalkResult> done)
    {
        private readonly long _started = walk._queue.Now;
        private readonly HashSet<int> _probed = [];
        private readonly List<int> _holders = [];
        private int _next;

        public void Step()
        {
            long elapsed = walk._queue.Now - _started;
            if (_holders.Count >= enough || _next >= depths.Count || elapsed >= (long)HolderSearch.Timeout.TotalMicroseconds)
            {
                done(new WalkResult(_holders, _started, walk._queue.Now, _next));
                return;
            }
            int depth = depths[_next++];
            var shard = new ShardId(depth, depth == 0 ? 0 : tag >> (32 - depth));
            walk._dht.Lookup(origin, walk.KeyOf(shard), providers: true, ProvidersPerLookup, outcome => Probe(outcome.Providers), weight);
        }

        /// <summary>Status of every new provider at once; the batch ends with its slowest answer or the timeout.</summary>
        private void Probe(List<int> providers)
        {
            long batch = 0;
            var verified = new List<int>();
            foreach (int p in providers.Where(_probed.Add).Take(StatusProbe.MaxProbed))
            {
                SimNode node = walk._nodes[p];
                walk._traffic.Add(TrafficKind.Client, -1, p, weight * StatusRequestBytes);
                long roundTrip = walk._links.ClientTransit(origin, p) + walk._links.ClientTransit(origin, p);
                long timeout = (long)StatusProbe.StatusTimeout.TotalMicroseconds;
                if (!node.Online || roundTrip > timeout)
                {
                    batch = Math.Max(batch, node.Online ? timeout : walk._links.Refused(origin, p, timeout));
                    continue;
                }
                walk._traffic.Add(TrafficKind.Client, p, -1, weight * StatusResponseBytes);
                batch = Math.Max(batch, roundTrip);
                if (node.Holds(tag))
                {
                    verified.Add(p);
                }
            }
            walk._queue.After(batch, () =>
            {
                _holders.AddRange(verified);
                Step();
            });
        }
    }
}
