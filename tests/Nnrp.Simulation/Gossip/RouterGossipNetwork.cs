using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Gossip;
using Nnrp.Simulation.Engine;
using Nnrp.Simulation.Load;

namespace Nnrp.Simulation.Gossip;

/// <summary>
/// The notification topics (§14.3) carried by the production <see cref="GossipRouter"/>: every
/// online node owns one, with the node's profile (<see cref="NotificationGossip.DefaultOptions"/>:
/// StrictNoSign, the §14.3 message id, scoring, flood publishing, IDONTWANT), joins exactly the
/// topics <see cref="NotificationGossip.TopicsFor"/> names for its shards, and talks to its
/// connections only through RPCs that <see cref="GossipRouter.TakeOutbound"/> hands out and the
/// event queue delivers after the link's transit (latency, TCP retransmission on loss). Heartbeats
/// are events on the virtual clock, which the routers read through <see cref="VirtualTime"/>.
///
/// Connections are what <see cref="GossipNetwork"/> assumes: about <see cref="ConnectionLimits.LowWater"/>
/// (160) to random nodes, both sides running /meshsub/1.2.0, plus, in a topic where a node has
/// fewer than D connected members, connections to random members until it has D (the model's
/// "never fewer than its mesh": a node finds holders of its shards through the DHT and sync).
///
/// The validator is the node's rule (§8.3, §14.3 "Validation"): Accept when the node holds the
/// tag's shard and has not stored the notification yet, Ignore otherwise (another door got it
/// there first, or the node holds a shard deeper than the topic). What a router accepts is
/// what the rest of the simulation sees as stored.
///
/// A node that leaves stops: its peers see the connection close (<see cref="GossipRouter.RemovePeer"/>)
/// and RPCs on the way to it are lost. It comes back as a new process: a fresh router that joins
/// its topics and reconnects to its online connections (its store and sync are the simulation's).
/// Peer exchange candidates (v1.1 PX) are not dialled.
/// </summary>
internal sealed class RouterGossipNetwork
{
    /// <summary>A holder online throughout this long after a notification's first publish must have it by gossip (the delivery check).</summary>
    public static readonly TimeSpan DeliveryWindow = TimeSpan.FromSeconds(60);

    private readonly SimNode[] _nodes;
    private readonly GossipSubOptions _options;
    private readonly EventQueue _queue;
    private readonly VirtualTime _time;
    private readonly Links _links;
    private readonly Traffic _traffic;
    private readonly Random _random;
    private readonly int _payloadBytes;
    private readonly long _validationUs;
    private readonly long _heartbeatUs;
    private readonly Action<int, int> _stored;
    private readonly PeerId[] _ids;
    private readonly Dictionary<PeerId, int> _indexOf = [];
    private readonly int[][] _connections;
    private readonly string[][] _topicsOf;
    private readonly int[][] _members;
    private readonly GossipRouter?[] _routers;

    /// <summary>Bumped when a node leaves or returns: events of an earlier process of the node are dropped.</summary>
    private readonly int[] _incarnation;
    private readonly long[] _upSince;

    /// <summary>Run-wide message indexes each node has stored (by gossip, by a publish, by sync).</summary>
    private readonly HashSet<int>[] _storedBy;
    private readonly Dictionary<MessageId, (int Index, uint Tag)> _messageOf = [];
    private readonly Dictionary<int, (byte[] Data, MessageId Id)> _published = [];
    private long _heartbeatsUntil = long.MaxValue;

    /// <summary>
    /// <paramref name="stored"/> (node, message index) is called when a node stores a notification
    /// through gossip or a publish it took, once per node and message.
    /// </summary>
    public RouterGossipNetwork(SimNode[] nodes, SimulationSettings settings, EventQueue queue, Links links, Traffic traffic, Random random, Action<int, int> stored)
    {
        _nodes = nodes;
        _options = NotificationGossip.DefaultOptions();
        _queue = queue;
        _time = new VirtualTime(queue);
        _links = links;
        _traffic = traffic;
        _random = random;
        _payloadBytes = settings.PayloadBytes;
        _validationUs = (long)settings.ValidationDelay.TotalMicroseconds;
        _heartbeatUs = (long)_options.HeartbeatInterval.TotalMicroseconds;
        _stored = stored;
        int n = nodes.Length;
        _ids = new PeerId[n];
        _topicsOf = new string[n][];
        _routers = new GossipRouter?[n];
        _incarnation = new int[n];
        _upSince = new long[n];
        _storedBy = new HashSet<int>[n];
        var members = new List<int>[NotificationGossip.Topics.Count];
        for (int t = 0; t < members.Length; t++)
        {
            members[t] = [];
        }
        var topicIndex = NotificationGossip.Topics.Select((t, i) => (t, i)).ToDictionary(static p => p.t, static p => p.i, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            _ids[i] = PeerId.FromBytes(nodes[i].Peer.Id.Span);
            _indexOf[_ids[i]] = i;
            _topicsOf[i] = [.. NotificationGossip.TopicsFor(nodes[i].Shards)];
            _storedBy[i] = [];
            foreach (string topic in _topicsOf[i])
            {
                members[topicIndex[topic]].Add(i);
            }
        }
        _members = [.. members.Select(static m => m.ToArray())];
        _connections = Connect(GossipNetwork.Connections);
        for (int i = 0; i < n; i++)
        {
            Start(i);
        }
        for (int i = 0; i < n; i++)
        {
            foreach (int j in _connections[i])
            {
                if (j > i)
                {
                    Link(i, j);
                }
            }
        }
        for (int i = 0; i < n; i++)
        {
            Drain(i);
        }
    }

    /// <summary>Topic-joined members per topic index (the holders a notification of that topic can reach).</summary>
    public int[] Members(int topic) => _members[topic];

    public int ConnectionCount(int node) => _connections[node].Length;

    /// <summary>The nodes <paramref name="node"/> is connected to (when both are online).</summary>
    public int[] Connections(int node) => _connections[node];

    /// <summary>Whether <paramref name="node"/> stores message <paramref name="index"/>.</summary>
    public bool Stores(int node, int index) => _storedBy[node].Contains(index);

    /// <summary>Holder-notification pairs that the delivery check expected (online holders throughout <see cref="DeliveryWindow"/>) and those that had it.</summary>
    public long HoldersExpected { get; private set; }

    public long HoldersReached { get; private set; }

    /// <summary>Bytes sent by all routers, by what they carried (reset with the simulation's traffic at the start of the window).</summary>
    public RouterTraffic Sent { get; } = new();

    /// <summary>Notification copies that reached a node not subscribed to their topic (§14.3 says none should).</summary>
    public long MessagesOutsideTopics { get; private set; }

    /// <summary>Heartbeats stop after this virtual time (the measured window and its retries are over; fetches need no gossip).</summary>
    public void StopHeartbeatsAt(long time) => _heartbeatsUntil = time;

    /// <summary>
    /// Node <paramref name="node"/> took a publish of message <paramref name="index"/> (tag
    /// <paramref name="tag"/>) by /nnrp/1.0 and validated it: it stores it and publishes it to
    /// the tag's topic (§8.3). A holder that already stored it (gossip was faster) answers the
    /// wallet as a duplicate and publishes nothing.
    /// </summary>
    public void TakePublish(int node, int index, uint tag)
    {
        GossipRouter? router = _routers[node];
        if (router is null || !_storedBy[node].Add(index))
        {
            return;
        }
        _stored(node, index);
        if (!_published.TryGetValue(index, out var message))
        {
            message = Encode(index, tag);
            _published[index] = message;
            _messageOf[message.Id] = (index, tag);
            long first = _queue.Now;
            _queue.After((long)DeliveryWindow.TotalMicroseconds, () => CheckDelivery(index, tag, first));
        }
        router.Publish(NotificationGossip.Topics[Workload.Topic(tag)], message.Data, message.Id);
        Drain(node);
    }

    /// <summary>Sync brought message <paramref name="index"/> to <paramref name="node"/>; false if it had it already.</summary>
    public bool MarkStored(int node, int index) => _storedBy[node].Add(index);

    /// <summary>The node's process stops: every online connection sees it close.</summary>
    public void Leave(int node)
    {
        _incarnation[node]++;
        _routers[node] = null;
        foreach (int peer in _connections[node])
        {
            _routers[peer]?.RemovePeer(_ids[node]);
        }
    }

    /// <summary>The node starts again: a new router joins its topics and dials its online connections.</summary>
    public void Return(int node)
    {
        _incarnation[node]++;
        _upSince[node] = _queue.Now;
        Start(node);
        foreach (int peer in _connections[node])
        {
            if (_routers[peer] is not null)
            {
                Link(node, peer);
                Drain(peer);
            }
        }
        Drain(node);
    }

    private void Start(int node)
    {
        var router = new GossipRouter(_options, _time, new Random(_random.Next()), NullLogger.Instance);
        foreach (string topic in _topicsOf[node])
        {
            router.Subscribe(topic);
        }
        router.TakeOutbound(); // no peers yet: nothing to send
        _routers[node] = router;
        int incarnation = _incarnation[node];
        _queue.After(_random.NextInt64(_heartbeatUs), () => Beat(node, incarnation));
    }

    /// <summary>A connection from <paramref name="dialer"/> to <paramref name="listener"/>; each side learns the other's topics.</summary>
    private void Link(int dialer, int listener)
    {
        _routers[dialer]!.AddPeer(_ids[listener], GossipProtocol.Meshsub12, outbound: true, Address(listener));
        _routers[listener]!.AddPeer(_ids[dialer], GossipProtocol.Meshsub12, outbound: false, Address(dialer));
    }

    private void Beat(int node, int incarnation)
    {
        if (_incarnation[node] != incarnation || _queue.Now > _heartbeatsUntil)
        {
            return;
        }
        _routers[node]!.Heartbeat();
        Drain(node);
        _queue.After(_heartbeatUs, () => Beat(node, incarnation));
    }

    /// <summary>Sends what the router wants sent: counted at its encoded size (length prefix included), delivered after the link's transit.</summary>
    private void Drain(int node)
    {
        GossipRouter router = _routers[node]!;
        foreach (OutboundRpc outbound in router.TakeOutbound())
        {
            int to = _indexOf[outbound.Peer];
            int size = outbound.Frame.Length > 0 ? outbound.Frame.Length : FrameSize(outbound.Rpc);
            _traffic.Add(TrafficKind.Gossip, node, to, size);
            Sent.Add(outbound.Rpc, size);
            RPC rpc = outbound.Rpc;
            int incarnation = _incarnation[to];
            _queue.After(_links.Transit(node, to), () => Receive(to, incarnation, node, rpc));
        }
        router.TakePeerExchange();
    }

    private void Receive(int node, int incarnation, int from, RPC rpc)
    {
        if (_incarnation[node] != incarnation || _routers[node] is not { } router)
        {
            return; // the process that this was sent to has stopped
        }
        for (int i = 0; i < rpc.Publish.Count; i++)
        {
            if (!router.IsSubscribed(rpc.Publish[i].Topic))
            {
                MessagesOutsideTopics++;
            }
        }
        foreach (InboundMessage inbound in router.HandleRpc(_ids[from], rpc))
        {
            _queue.After(_validationUs, () => Validate(node, incarnation, inbound));
        }
        Drain(node);
    }

    /// <summary>The node's verdict (§14.3): Accept what it holds and has not stored, Ignore the rest.</summary>
    private void Validate(int node, int incarnation, InboundMessage inbound)
    {
        if (_incarnation[node] != incarnation || _routers[node] is not { } router)
        {
            return;
        }
        ValidationResult verdict = ValidationResult.Ignore;
        if (_messageOf.TryGetValue(inbound.Message.Id, out var message) && _nodes[node].Holds(message.Tag) && _storedBy[node].Add(message.Index))
        {
            verdict = ValidationResult.Accept;
            _stored(node, message.Index);
        }
        router.ReportValidation(inbound, verdict);
        Drain(node);
    }

    /// <summary>Every holder of the tag online since before the first publish and still online now must have the notification.</summary>
    private void CheckDelivery(int index, uint tag, long firstPublish)
    {
        foreach (int node in _members[Workload.Topic(tag)])
        {
            if (_routers[node] is null || _upSince[node] > firstPublish || !_nodes[node].Holds(tag))
            {
                continue;
            }
            HoldersExpected++;
            if (_storedBy[node].Contains(index))
            {
                HoldersReached++;
            }
        }
    }

    /// <summary>
    /// The random connection graph: each node dials until it has <paramref name="connections"/>
    /// (a node accepts up to 2 more), then tops up every topic where it has fewer than D
    /// connected members.
    /// </summary>
    private int[][] Connect(int connections)
    {
        int n = _nodes.Length;
        var adjacent = new HashSet<int>[n];
        for (int i = 0; i < n; i++)
        {
            adjacent[i] = [];
        }
        for (int i = 0; i < n; i++)
        {
            int wanted = Math.Min(connections, n - 1);
            for (int attempt = 0; adjacent[i].Count < wanted && attempt < 20 * n; attempt++)
            {
                int j = _random.Next(n);
                if (j != i && adjacent[j].Count < wanted + 2 && adjacent[i].Add(j))
                {
                    adjacent[j].Add(i);
                }
            }
        }
        var topicIndex = NotificationGossip.Topics.Select((t, i) => (t, i)).ToDictionary(static p => p.t, static p => p.i, StringComparer.Ordinal);
        var joined = _topicsOf.Select(topics => topics.Select(t => topicIndex[t]).ToHashSet()).ToArray();
        for (int i = 0; i < n; i++)
        {
            foreach (int t in joined[i])
            {
                int[] members = _members[t];
                int have = adjacent[i].Count(j => joined[j].Contains(t));
                for (int attempt = 0; have < Math.Min(_options.D, members.Length - 1) && attempt < 20 * members.Length; attempt++)
                {
                    int j = members[_random.Next(members.Length)];
                    if (j != i && adjacent[i].Add(j))
                    {
                        adjacent[j].Add(i);
                        have++;
                    }
                }
            }
        }
        return [.. adjacent.Select(static a => a.Order().ToArray())];
    }

    /// <summary>A notification of the run's size whose tag starts with the recipient's 32 bits, made unique by its index (§14.3: its id is content hash ‖ work).</summary>
    private (byte[] Data, MessageId Id) Encode(int index, uint tag)
    {
        var tagBytes = new byte[RecipientTag.Size];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(tagBytes, tag);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(tagBytes.AsSpan(4), index);
        var notification = new Notification(1, RecipientTag.FromBytes(tagBytes), 1_765_000_000, 7_776_000, new byte[_payloadBytes], ulong.MaxValue - (ulong)index);
        return (NotificationProtobuf.Encode(notification), NotificationGossip.MessageIdOf(notification));
    }

    /// <summary>An RPC's bytes on the stream: its length prefix (unsigned varint) and body (pubsub/README.md "The RPC").</summary>
    private static int FrameSize(RPC rpc)
    {
        int size = rpc.CalculateSize();
        return CodedOutputStream.ComputeLengthSize(size) + size;
    }

    /// <summary>A distinct public address per node, so GossipSub's IP colocation penalty (P6) stays out of it.</summary>
    private static IPAddress Address(int node) => new([11, (byte)(node >> 16), (byte)(node >> 8), (byte)node]);
}
