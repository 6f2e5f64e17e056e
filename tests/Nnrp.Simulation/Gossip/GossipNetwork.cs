using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.Host;
using Nnrp.Node.Gossip;
using Nnrp.Simulation.Engine;

namespace Nnrp.Simulation.Gossip;

/// <summary>
/// Gossip on the 256 depth-8 topics (§14.3), modelled: who joins which topic is the node's own
/// rule (<see cref="NotificationGossip.TopicsFor"/>: every topic whose depth-8 shard overlaps its set),
/// the mesh is <see cref="TopicMesh"/>, and one message spreads as GossipSub v1.1/v1.2 spreads it:
/// each publishing holder floods it to its mesh, each node that accepts it forwards it to its
/// mesh peers after validating (a node that does not hold the tag ignores it: no store, no
/// forward, §8.3), IDONTWANT (sent on first receipt, v1.2) stops a forward that would arrive
/// after the peer's own copy, every accepting node advertises its id in IHAVE to D_lazy peers
/// outside its mesh for the gossip window, and a holder the wave missed (loss, a torn mesh)
/// gets it by IWANT. Arrival times follow per-link transit (earliest first, as a Dijkstra walk).
/// A node's topic peers (flood-publish targets, IHAVE candidates) are its connections that
/// joined the topic: the connection manager keeps about <see cref="ConnectionLimits.LowWater"/>
/// connections, to random nodes in the model, so a topic of m members among N nodes gives each
/// member min(m − 1, connections × m / N) topic peers, and never fewer than its mesh.
/// </summary>
internal sealed class GossipNetwork
{
    /// <summary>RPC and Message envelope with the topic <c>/nnrp/notifications/1.0/8/255</c>.</summary>
    public const int MessageOverheadBytes = 40;

    /// <summary>A 40-byte message id (§14.3) in IHAVE/IWANT/IDONTWANT with its field header.</summary>
    public const int IdBytes = 42;

    /// <summary>A GRAFT or PRUNE with its topic.</summary>
    public const int GraftBytes = 40;

    public const int Topics = 256;

    /// <summary>Connections a node keeps: <see cref="ConnectionLimits.LowWater"/> ("Null: five eighths of MaxConnections", 160).</summary>
    public static int Connections { get; } = new ConnectionLimits().LowWater ?? (new ConnectionLimits().MaxConnections * 5 / 8);

    private readonly SimNode[] _nodes;
    private readonly GossipSubOptions _options;
    private readonly Links _links;
    private readonly Traffic _traffic;
    private readonly Random _random;
    private readonly TopicMesh[] _meshes = new TopicMesh[Topics];
    private readonly int[][] _topicsOf;
    private readonly long _validationUs;
    private readonly long _heartbeatUs;
    private readonly int _connections;

    // Scratch of one dissemination, sized for the largest topic.
    private readonly long[] _arrival;
    private readonly int[] _from;
    private readonly bool[] _done;

    public GossipNetwork(SimNode[] nodes, GossipSubOptions options, SimulationSettings settings, Links links, Traffic traffic, Random random)
    {
        _nodes = nodes;
        _options = options;
        _links = links;
        _traffic = traffic;
        _random = random;
        _validationUs = (long)settings.ValidationDelay.TotalMicroseconds;
        _heartbeatUs = (long)options.HeartbeatInterval.TotalMicroseconds;
        _connections = Connections;
        var members = new List<int>[Topics];
        for (int t = 0; t < Topics; t++)
        {
            members[t] = [];
        }
        _topicsOf = new int[nodes.Length][];
        var topicIndex = NotificationGossip.Topics.Select((t, i) => (t, i)).ToDictionary(static p => p.t, static p => p.i, StringComparer.Ordinal);
        foreach (SimNode node in nodes)
        {
            int[] joined = [.. NotificationGossip.TopicsFor(node.Shards).Select(t => topicIndex[t])];
            foreach (int t in joined)
            {
                members[t].Add(node.Index);
            }
            _topicsOf[node.Index] = joined;
        }
        int largest = 0;
        for (int t = 0; t < Topics; t++)
        {
            _meshes[t] = new TopicMesh([.. members[t]], options.D, options.DLow, options.DHigh);
            largest = Math.Max(largest, members[t].Count);
            for (int s = 0; s < members[t].Count; s++)
            {
                _meshes[t].Fill(s, n => nodes[n].Online, random);
            }
        }
        _arrival = new long[largest];
        _from = new int[largest];
        _done = new bool[largest];
    }

    public int TopicCount(int node) => _topicsOf[node].Length;

    /// <summary>Topic peers of <paramref name="node"/> in <paramref name="topic"/> (the calibration connects the real routers alike).</summary>
    public int TopicPeersOf(int topic, int node) => TopicPeers(_meshes[topic], _meshes[topic].SlotOf(node));

    /// <summary>Connected peers of a member that joined the topic (see the class comment).</summary>
    private int TopicPeers(TopicMesh mesh, int slot)
    {
        int members = mesh.Members.Length;
        int connected = (int)Math.Min(members - 1, (long)_connections * members / _nodes.Length);
        return Math.Max(mesh.Degree(slot), connected);
    }

    public TopicMesh Mesh(int topic) => _meshes[topic];

    /// <summary>A node left: its mesh peers see the connection close and regraft at their next heartbeat.</summary>
    public void Leave(int node)
    {
        foreach (int t in _topicsOf[node])
        {
            TopicMesh mesh = _meshes[t];
            foreach (var (slot, grafts) in mesh.Leave(mesh.SlotOf(node), n => _nodes[n].Online, _random))
            {
                // Each GRAFT is answered (accepted) by its peer; the peer is one of the grafter's new neighbours.
                int grafter = mesh.Members[slot];
                _traffic.Add(TrafficKind.Gossip, grafter, -1, grafts * GraftBytes);
                foreach (int n in mesh.Neighbours(slot)[^grafts..])
                {
                    _traffic.Add(TrafficKind.Gossip, -1, mesh.Members[n], GraftBytes);
                }
            }
        }
    }

    /// <summary>A node came back: it announces its topics and grafts D peers in each.</summary>
    public void Return(int node)
    {
        foreach (int t in _topicsOf[node])
        {
            TopicMesh mesh = _meshes[t];
            int slot = mesh.SlotOf(node);
            int grafts = mesh.Fill(slot, n => _nodes[n].Online, _random);
            _traffic.Add(TrafficKind.Gossip, node, -1, grafts * 2 * GraftBytes);
            foreach (int n in mesh.Neighbours(slot))
            {
                _traffic.Add(TrafficKind.Gossip, -1, mesh.Members[n], 2 * GraftBytes);
            }
        }
    }

    /// <summary>
    /// Spreads one notification of <paramref name="tag"/> from the holders that took the publish
    /// (<paramref name="sources"/>: node and time its copy arrived). Bytes are counted with
    /// <paramref name="weight"/> (a traced sample stands for 1/weight of the load); every online
    /// holder reached is passed to <paramref name="stored"/> with its time. Returns the node
    /// visits done (the trace's cost).
    /// </summary>
    public int Disseminate(uint tag, int size, IReadOnlyList<(int Node, long Time)> sources, double weight, Action<int, long> stored)
    {
        TopicMesh mesh = _meshes[Load.Workload.Topic(tag)];
        int[] members = mesh.Members;
        Array.Fill(_arrival, long.MaxValue, 0, members.Length);
        Array.Fill(_done, false, 0, members.Length);
        var frontier = new PriorityQueue<int, long>();
        int frame = size + MessageOverheadBytes;
        foreach (var (node, time) in sources)
        {
            int slot = mesh.SlotOf(node);
            Relax(slot, time, -1);
            // v1.1 flood publishing: the holder that took the publish sends it to every topic peer,
            // its mesh and as many other connected members, after validating it.
            long at = time + _validationUs;
            foreach (int v in mesh.Neighbours(slot))
            {
                _traffic.Add(TrafficKind.Gossip, node, members[v], weight * frame);
                Relax(v, at + _links.Transit(node, members[v]), slot);
            }
            for (int extra = TopicPeers(mesh, slot) - mesh.Degree(slot); extra > 0; extra--)
            {
                int v = _random.Next(members.Length);
                if (v == slot || !_nodes[members[v]].Online)
                {
                    continue;
                }
                _traffic.Add(TrafficKind.Gossip, node, members[v], weight * frame);
                Relax(v, at + _links.Transit(node, members[v]), slot);
            }
        }
        void Relax(int slot, long time, int from)
        {
            if (time < _arrival[slot])
            {
                _arrival[slot] = time;
                _from[slot] = from;
                frontier.Enqueue(slot, time);
            }
        }
        int visits = 0;
        long waveEnd = 0;
        var accepted = new List<int>();
        while (frontier.TryDequeue(out int u, out long tu))
        {
            if (_done[u] || tu != _arrival[u])
            {
                continue;
            }
            _done[u] = true;
            visits++;
            SimNode node = _nodes[members[u]];
            ReadOnlySpan<int> peers = mesh.Neighbours(u);
            // v1.2: IDONTWANT to the mesh on the first copy of a message this large, before validating.
            if (size >= _options.IDontWantMessageSizeThreshold)
            {
                foreach (int v in peers)
                {
                    _traffic.Add(TrafficKind.Gossip, node.Index, members[v], weight * IdBytes);
                }
            }
            if (!node.Holds(tag))
            {
                continue; // §8.3: Ignore — not stored, not forwarded.
            }
            accepted.Add(u);
            stored(node.Index, tu);
            waveEnd = Math.Max(waveEnd, tu);
            if (_from[u] == -1)
            {
                continue; // a publishing holder: it flooded its topic peers above
            }
            long forwardAt = tu + _validationUs;
            foreach (int v in peers)
            {
                long latency = _links.Latency(node.Index, members[v]);
                if (v == _from[u] || (_done[v] && _arrival[v] + latency <= forwardAt))
                {
                    continue; // the sender, or a peer whose IDONTWANT arrived first
                }
                _traffic.Add(TrafficKind.Gossip, node.Index, members[v], weight * frame);
                Relax(v, forwardAt + _links.Transit(node.Index, members[v]), u);
            }
        }
        Advertise(mesh, accepted, weight);
        Repair(mesh, tag, frame, accepted, waveEnd, weight, stored);
        return visits;
    }

    /// <summary>IHAVE: each accepting node names the id in <see cref="GossipSubOptions.HistoryGossip"/> heartbeats to D_lazy peers outside its mesh (or the gossip factor of them, if more).</summary>
    private void Advertise(TopicMesh mesh, List<int> accepted, double weight)
    {
        int[] members = mesh.Members;
        foreach (int u in accepted)
        {
            int outside = TopicPeers(mesh, u) - mesh.Degree(u);
            int targets = Math.Min(outside, Math.Max(_options.DLazy, (int)(_options.GossipFactor * outside)));
            if (targets <= 0)
            {
                continue;
            }
            double bytes = weight * IdBytes * targets * _options.HistoryGossip;
            _traffic.Add(TrafficKind.Gossip, members[u], members[_random.Next(members.Length)], bytes);
        }
    }

    /// <summary>Online holders the wave missed ask an advertiser with IWANT at a later heartbeat and get the message.</summary>
    private void Repair(TopicMesh mesh, uint tag, int frame, List<int> accepted, long waveEnd, double weight, Action<int, long> stored)
    {
        if (accepted.Count == 0)
        {
            return;
        }
        int[] members = mesh.Members;
        for (int v = 0; v < members.Length; v++)
        {
            SimNode node = _nodes[members[v]];
            if (_done[v] || !node.Online || !node.Holds(tag))
            {
                continue;
            }
            int source = members[accepted[_random.Next(accepted.Count)]];
            long at = waveEnd + _random.NextInt64(_heartbeatUs) + _links.Transit(source, node.Index); // IHAVE at a later heartbeat
            at += _links.Transit(node.Index, source) + _links.Transit(source, node.Index); // IWANT and the answer
            _traffic.Add(TrafficKind.Gossip, node.Index, source, weight * IdBytes * 2);
            _traffic.Add(TrafficKind.Gossip, source, node.Index, weight * frame);
            stored(node.Index, at);
        }
    }
}
