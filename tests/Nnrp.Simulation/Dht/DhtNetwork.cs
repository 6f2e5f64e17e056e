using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Kad.Query;
using Nnrp.Libp2p.Kad.RoutingTable;
using Nnrp.Simulation.Engine;

namespace Nnrp.Simulation.Dht;

/// <summary>What one lookup found.</summary>
internal sealed record LookupOutcome(IReadOnlyList<KadPeer> Closest, List<int> Providers, int Hops, int Queries);

/// <summary>
/// The Kad-DHT (§14.2) over the in-memory network. Every node's routing table is the real
/// <see cref="KadRoutingTable"/> and every lookup the real <see cref="ClosestPeersLookup"/>
/// (iterative, α, k, its termination rule); this class is only the transport the production
/// <c>LookupDriver</c> would be: it carries each request to the peer, lets the peer answer from
/// its own table and provider records, and feeds back answers and failures (a lost message or
/// an offline peer fails after <see cref="LookupOptions.RequestTimeout"/>; loss only delays, see <see cref="Links"/>).
/// </summary>
internal sealed class DhtNetwork(SimNode[] nodes, EventQueue queue, Links links, Traffic traffic, Random random)
{
    private readonly SimNode[] _nodes = nodes;
    private readonly EventQueue _queue = queue;
    private readonly Links _links = links;
    private readonly Traffic _traffic = traffic;
    private readonly Random _random = random;

    /// <summary>A request on a new stream: multistream-select + yamux open (≈ 40 bytes) and a Kad message with a 34-byte key.</summary>
    public const int RequestBytes = 80;

    /// <summary>One <c>Message.Peer</c> in an answer: a 38-byte peer id and two addresses.</summary>
    public const int PeerEntryBytes = 70;

    private readonly LookupOptions _options = new KadOptions().Lookup;
    private readonly int _maxProvidersPerResponse = new KadOptions().MaxProvidersPerResponse;
    private readonly Dictionary<KadKey, int> _byKey = nodes.ToDictionary(static n => n.Peer.Key, static n => n.Index);

    /// <summary>Hop counts of GET_PROVIDERS lookups (the §8.4 walks') finished while <see cref="Measuring"/>: the longest chain of answers that led to a queried peer, seeds being hop 1.</summary>
    public List<int> Hops { get; } = [];

    public List<int> Queries { get; } = [];

    public bool Measuring { get; set; }

    public int IndexOf(KadPeer peer) => _byKey[peer.Key];

    /// <summary>
    /// A lookup from <paramref name="origin"/> for <paramref name="target"/>: FIND_NODE, or
    /// GET_PROVIDERS of <paramref name="providerKey"/> ending once <paramref name="wantedProviders"/> are known.
    /// </summary>
    /// <paramref name="weight"/> scales the bytes counted: a lookup of a sampled walk stands for 1/weight of them.
    public void Lookup(int origin, KadKey target, bool providers, int wantedProviders, Action<LookupOutcome> done, double weight = 1) =>
        new Walk(this, _nodes[origin], target, providers, wantedProviders, weight, done).Start();

    /// <summary>§8.3: provide <paramref name="key"/>: a FIND_NODE for it, then ADD_PROVIDER to the k closest that answered.</summary>
    public void Provide(int origin, KadKey key, Action? done = null) =>
        Lookup(origin, key, providers: false, 0, outcome =>
        {
            foreach (KadPeer peer in outcome.Closest)
            {
                int holder = _byKey[peer.Key];
                _traffic.Add(TrafficKind.Dht, origin, holder, RequestBytes + PeerEntryBytes);
                if (!_nodes[holder].Online)
                {
                    continue;
                }
                var records = (_nodes[holder].Providers ??= [])!;
                if (!records.TryGetValue(key, out List<int>? list))
                {
                    records[key] = list = [];
                }
                // ProviderQuotas: a key keeps at most this many providers; later ones are refused.
                if (!list.Contains(origin) && list.Count < ProviderQuotas.DefaultMaxProvidersPerKey)
                {
                    list.Add(origin);
                }
            }
            done?.Invoke();
        });

    /// <summary>A routing table asked to ping its stale oldest member: the peer answers if it is online (real rule: alive → refresh, silent → evict).</summary>
    private void Settle(SimNode owner, RoutingTableUpdate update)
    {
        if (update.Kind != RoutingTableUpdateKind.PendingProbe || update.Probe is not { } probe)
        {
            return;
        }
        int other = _byKey[probe.Key];
        _traffic.Add(TrafficKind.Dht, owner.Index, other, RequestBytes);
        if (_nodes[other].Online)
        {
            _traffic.Add(TrafficKind.Dht, other, owner.Index, RequestBytes);
            owner.Table.TryAdd(probe);
        }
        else
        {
            owner.Table.Remove(probe.Key);
        }
    }

    private sealed class Walk(DhtNetwork dht, SimNode origin, KadKey target, bool providers, int wanted, double weight, Action<LookupOutcome> done)
    {
        private readonly Dictionary<KadKey, int> _hop = [];
        private readonly List<int> _found = [];
        private readonly HashSet<int> _foundSet = [];
        private ClosestPeersLookup _lookup = null!;
        private int _maxHop;
        private bool _finished;

        private long Timeout => (long)dht._options.RequestTimeout.TotalMicroseconds;

        public void Start()
        {
            IReadOnlyList<KadPeer> seeds = origin.Table.NearestPeers(target, dht._options.ResultCount);
            foreach (KadPeer seed in seeds)
            {
                _hop[seed.Key] = 1;
            }
            _lookup = new ClosestPeersLookup(target, seeds, dht._options, origin.Peer.Key);
            Pump();
        }

        private void Pump()
        {
            if (_finished)
            {
                return;
            }
            foreach (KadPeer peer in _lookup.NextQueries())
            {
                Send(peer);
            }
            if (_lookup.IsFinished)
            {
                _finished = true;
                if (dht.Measuring && providers)
                {
                    dht.Hops.Add(_maxHop);
                    dht.Queries.Add(_lookup.QueriesSent);
                }
                done(new LookupOutcome(_lookup.ClosestPeers(), _found, _maxHop, _lookup.QueriesSent));
            }
        }

        private void Send(KadPeer peer)
        {
            int remote = dht._byKey[peer.Key];
            dht._traffic.Add(TrafficKind.Dht, origin.Index, remote, weight * RequestBytes);
            long there = dht._links.Transit(origin.Index, remote);
            if (!dht._nodes[remote].Online)
            {
                dht._queue.After(dht._links.Refused(origin.Index, remote, Timeout), () => Fail(peer));
                return;
            }
            if (there >= Timeout)
            {
                dht._queue.After(Timeout, () => Fail(peer));
                return;
            }
            dht._queue.After(there, () => Serve(peer, remote, there));
        }

        /// <summary>The remote side, as KadRequestHandler answers: closer peers from its table, providers from its records.</summary>
        private void Serve(KadPeer peer, int remote, long latency)
        {
            SimNode server = dht._nodes[remote];
            if (!server.Online)
            {
                dht._queue.After(dht._links.Refused(remote, origin.Index, Timeout - latency), () => Fail(peer));
                return;
            }
            // A valid request from a DHT server adds it to the receiver's table (every node is a server here).
            dht.Settle(server, server.Table.TryAdd(origin.Peer));
            IReadOnlyList<KadPeer> closer = server.Table.NearestPeers(target, dht._options.ResultCount);
            List<int>? held = null;
            if (providers && server.Providers is { } records && records.TryGetValue(target, out List<int>? list))
            {
                held = list.Count <= dht._maxProvidersPerResponse ? list : [.. list.OrderBy(_ => dht._random.Next()).Take(dht._maxProvidersPerResponse)];
            }
            int entries = closer.Count + (held?.Count ?? 0);
            dht._traffic.Add(TrafficKind.Dht, remote, origin.Index, weight * ((RequestBytes / 2) + (entries * PeerEntryBytes)));
            long back = dht._links.Transit(remote, origin.Index);
            if (latency + back >= Timeout)
            {
                dht._queue.After(Timeout - latency, () => Fail(peer));
                return;
            }
            dht._queue.After(back, () => Answer(peer, closer, held));
        }

        private void Answer(KadPeer peer, IReadOnlyList<KadPeer> closer, List<int>? held)
        {
            if (_finished)
            {
                return;
            }
            dht.Settle(origin, origin.Table.TryAdd(peer));
            int hop = _hop[peer.Key];
            _maxHop = Math.Max(_maxHop, hop);
            foreach (KadPeer c in closer)
            {
                _hop.TryAdd(c.Key, hop + 1);
            }
            _lookup.OnSuccess(peer, closer);
            if (held is not null)
            {
                foreach (int p in held)
                {
                    if (_foundSet.Add(p))
                    {
                        _found.Add(p);
                    }
                }
                if (_found.Count >= wanted)
                {
                    _lookup.Stop();
                }
            }
            Pump();
        }

        private void Fail(KadPeer peer)
        {
            if (_finished)
            {
                return;
            }
            origin.Table.RecordFailure(peer.Key);
            _lookup.OnFailure(peer);
            Pump();
        }
    }
}
