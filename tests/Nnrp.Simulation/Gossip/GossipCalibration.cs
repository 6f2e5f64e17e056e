using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.RoutingTable;
using Nnrp.Node.Gossip;
using Nnrp.Node.Shards;
using Nnrp.Simulation.Engine;

namespace Nnrp.Simulation.Gossip;

/// <summary>One calibration: the real router and the model side by side on the same network and publishes.</summary>
internal sealed record GossipComparison(int Nodes, int TopicPeers, int Messages, double RealBytesPerNodePerMessage, double ModelBytesPerNodePerMessage, double RealDelivered, double ModelDelivered);

/// <summary>
/// Checks <see cref="GossipNetwork"/> against the production <see cref="GossipRouter"/> state
/// machine (the node's profile, <see cref="NotificationGossip.DefaultOptions"/>: scoring, flood
/// publishing, IDONTWANT, IHAVE/IWANT) on one topic of N full nodes: each router gets the same
/// number of connections the model assumes, heartbeats every second of virtual time, RPCs
/// travel the same links, and the same notifications are published by 3 holders each. Bytes are
/// the RPCs' encoded sizes. The real router is too heavy for 256 topics × 10 000 nodes (per-peer
/// per-topic score state alone), which is why the sweep runs the model.
/// </summary>
internal static class GossipCalibration
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    public static GossipComparison Run(int nodes, int messages, int seed)
    {
        var settings = new SimulationSettings { Nodes = nodes, Sharded = false, Seed = seed };
        var random = new Random(seed);
        var queue = new EventQueue();
        var links = new Links(settings, random);
        GossipSubOptions options = NotificationGossip.DefaultOptions();
        byte[][] data = [.. Enumerable.Range(0, messages).Select(_ => Notification(random))];
        int[][] publishers = [.. Enumerable.Range(0, messages).Select(_ => Enumerable.Range(0, nodes).OrderBy(_ => random.Next()).Take(3).ToArray())];

        // The model, on the same nodes and publishes.
        SimNode[] simNodes = [.. Enumerable.Range(0, nodes).Select(i => new SimNode(i, SimNode.RandomPeerId(random), new KadRoutingTable(KadKey.Hash(BitConverter.GetBytes(i))), ShardSet.Full, 0))];
        var modelTraffic = new Traffic(nodes);
        var model = new GossipNetwork(simNodes, options, settings, links, modelTraffic, random);
        int topicPeers = model.TopicPeersOf(0, 0);
        long modelStored = 0;
        for (int m = 0; m < messages; m++)
        {
            var sources = publishers[m].Select(p => (p, 0L)).ToList();
            model.Disseminate(0, data[m].Length, sources, 1, (_, _) => modelStored++);
        }
        double modelBytes = Enumerable.Range(0, nodes).Sum(i => modelTraffic.Total(TrafficKind.Gossip, i)) / nodes / messages;

        var (realBytes, realDelivered) = RunRouters(nodes, topicPeers, data, publishers, options, settings, queue, links, random);
        return new GossipComparison(nodes, topicPeers, messages, realBytes, modelBytes, realDelivered, (double)modelStored / nodes / messages);
    }

    private static (double BytesPerNodePerMessage, double Delivered) RunRouters(
        int nodes, int topicPeers, byte[][] data, int[][] publishers, GossipSubOptions options, SimulationSettings settings, EventQueue queue, Links links, Random random)
    {
        var time = new VirtualTime(queue);
        string topic = NotificationGossip.Topics[0];
        var ids = new PeerId[nodes];
        var routers = new GossipRouter[nodes];
        var index = new Dictionary<PeerId, int>();
        for (int i = 0; i < nodes; i++)
        {
            ids[i] = PeerId.FromBytes(SimNode.RandomPeerId(random));
            index[ids[i]] = i;
            routers[i] = new GossipRouter(options, time, new Random(random.Next()), NullLogger.Instance);
        }
        var bytes = new double[nodes];
        bool measuring = false;
        var messageOf = new Dictionary<MessageId, int>();
        var delivered = new HashSet<(int Node, int Message)>();
        long validation = (long)settings.ValidationDelay.TotalMicroseconds;

        void Drain(int i)
        {
            foreach (OutboundRpc o in routers[i].TakeOutbound())
            {
                int to = index[o.Peer];
                if (measuring)
                {
                    int size = o.Frame.Length > 0 ? o.Frame.Length : o.Rpc.CalculateSize() + 3;
                    bytes[i] += size;
                    bytes[to] += size;
                }
                RPC rpc = o.Rpc;
                queue.After(links.Transit(i, to), () => Receive(to, i, rpc));
            }
            routers[i].TakePeerExchange();
        }
        void Receive(int to, int from, RPC rpc)
        {
            foreach (InboundMessage inbound in routers[to].HandleRpc(ids[from], rpc))
            {
                queue.After(validation, () =>
                {
                    if (routers[to].ReportValidation(inbound, ValidationResult.Accept) && messageOf.TryGetValue(inbound.Message.Id, out int m))
                    {
                        delivered.Add((to, m));
                    }
                    Drain(to);
                });
            }
            Drain(to);
        }

        // Connections: each node up to the model's topic-peer count, to random peers, both sides told.
        var connected = new HashSet<(int, int)>();
        var degree = new int[nodes];
        for (int i = 0; i < nodes; i++)
        {
            for (int attempt = 0; degree[i] < topicPeers && attempt < 20 * nodes; attempt++)
            {
                int j = random.Next(nodes);
                if (j == i || degree[j] >= topicPeers + 2 || !connected.Add((Math.Min(i, j), Math.Max(i, j))))
                {
                    continue;
                }
                routers[i].AddPeer(ids[j], GossipProtocol.Meshsub12, outbound: true, Address(j));
                routers[j].AddPeer(ids[i], GossipProtocol.Meshsub12, outbound: false, Address(i));
                degree[i]++;
                degree[j]++;
            }
        }
        for (int i = 0; i < nodes; i++)
        {
            routers[i].Subscribe(topic);
            Drain(i);
        }
        long heartbeat = (long)options.HeartbeatInterval.TotalMicroseconds;
        for (int i = 0; i < nodes; i++)
        {
            int node = i;
            void Beat()
            {
                routers[node].Heartbeat();
                Drain(node);
                queue.After(heartbeat, Beat);
            }
            queue.After(random.NextInt64(heartbeat), Beat);
        }
        long start = (long)WarmUp.TotalMicroseconds;
        queue.RunUntil(start);
        measuring = true;
        for (int m = 0; m < data.Length; m++)
        {
            int message = m;
            foreach (int p in publishers[m])
            {
                queue.At(start + (m * (long)PublishInterval.TotalMicroseconds) + links.ClientLatency(p), () =>
                {
                    PublishOutcome outcome = routers[p].Publish(topic, data[message]);
                    messageOf.TryAdd(outcome.Id, message);
                    delivered.Add((p, message));
                    Drain(p);
                });
            }
        }
        queue.RunUntil(start + (data.Length * (long)PublishInterval.TotalMicroseconds) + (long)Settle.TotalMicroseconds);
        return (bytes.Sum() / nodes / data.Length, (double)delivered.Count / nodes / data.Length);
    }

    /// <summary>A notification of the run's size on topic 0 (its tag's first byte is 0), as the real codec encodes it.</summary>
    private static byte[] Notification(Random random)
    {
        var tag = new byte[32];
        random.NextBytes(tag.AsSpan(1));
        var payload = new byte[new SimulationSettings().PayloadBytes];
        random.NextBytes(payload);
        return NotificationProtobuf.Encode(new Notification(1, RecipientTag.FromBytes(tag), 1_765_000_000, 7_776_000, payload, (ulong)random.NextInt64()));
    }

    /// <summary>A distinct public address per node, so GossipSub's IP colocation penalty (P6) stays out of it.</summary>
    private static IPAddress Address(int node) => new([11, (byte)(node >> 16), (byte)(node >> 8), (byte)node]);
}
