using System.Diagnostics.Metrics;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Libp2p.Metrics;

/// <summary>
/// The libp2p layer's figures on the <see cref="MeterName"/> meter: connections and streams of
/// the host, GossipSub counters and meshes, the Kad routing table and provider records. Every
/// instrument is observable: it reads a counter the layer keeps anyway when a reader collects,
/// so nothing is added to the byte path.
/// </summary>
/// <remarks>
/// Names are dotted; OpenTelemetry's Prometheus exporter turns the dots into underscores and
/// appends the unit (<c>By</c> → <c>_bytes</c> unless the name ends so) and <c>_total</c> for
/// counters, so <c>nnrp.gossip.delivered</c> is scraped as <c>nnrp_gossip_delivered_total</c>.
/// Units in braces are annotations and add no suffix.
/// </remarks>
public static class Libp2pInstruments
{
    public const string MeterName = "Nnrp.Libp2p";

    /// <summary>Open connections, their streams, handshakes in flight and known peers.</summary>
    public static void AddHost(Meter meter, Libp2pHost host)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(host);
        meter.CreateObservableGauge("nnrp.p2p.connections", () => host.Connections.Count, "{connection}", "Open libp2p connections");
        meter.CreateObservableGauge("nnrp.p2p.streams", () => host.Connections.Sum(static c => c.StreamCount), "{stream}", "Open Yamux streams over all connections");
        meter.CreateObservableGauge("nnrp.p2p.pending_inbound", () => host.PendingInboundCount, "{connection}", "Inbound connections still in their handshake (NNRP.md §14.1)");
        meter.CreateObservableGauge("nnrp.p2p.known_peers", () => host.PeerStore.Count, "{peer}", "Peers in the peer store");
    }

    /// <summary>GossipSub validation outcomes, publishes, drops, peers, scores and mesh sizes.</summary>
    public static void AddGossip(Meter meter, GossipSubService gossip)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(gossip);
        meter.CreateObservableCounter("nnrp.gossip.delivered", () => gossip.Metrics.Delivered, "{message}", "Gossip messages accepted by validation");
        meter.CreateObservableCounter("nnrp.gossip.duplicates", () => gossip.Metrics.Duplicates, "{message}", "Gossip copies of messages already seen");
        meter.CreateObservableCounter("nnrp.gossip.rejected", () => gossip.Metrics.Rejected, "{message}", "Gossip messages rejected by validation");
        meter.CreateObservableCounter("nnrp.gossip.ignored", () => gossip.Metrics.Ignored, "{message}", "Gossip messages ignored by validation");
        meter.CreateObservableCounter("nnrp.gossip.validation_dropped", () => gossip.Metrics.ValidationDropped, "{message}", "Gossip messages dropped because validation was full");
        meter.CreateObservableCounter("nnrp.gossip.published", () => gossip.Metrics.Published, "{message}", "Messages this node published");
        meter.CreateObservableCounter("nnrp.gossip.graylisted_rpcs", () => gossip.Metrics.GraylistedRpcs, "{rpc}", "Gossip RPCs dropped because the sender was graylisted");
        meter.CreateObservableCounter("nnrp.gossip.send_queue_dropped", () => gossip.Metrics.SendQueueDropped, "{rpc}", "Outbound gossip RPCs dropped because a peer's queue was full");
        meter.CreateObservableGauge("nnrp.gossip.peers", () => gossip.Peers.Count, "{peer}", "Peers speaking GossipSub");
        // Issue 12: honest nodes never score each other below 0 (NNRP.md §14.3); this shows it.
        meter.CreateObservableGauge("nnrp.gossip.peer_score_min", () => gossip.Peers.Select(gossip.GetScore).DefaultIfEmpty(0).Min(), null, "Lowest GossipSub score among connected gossip peers (0 with none)");
        meter.CreateObservableGauge("nnrp.gossip.mesh_peers", () => MeshSizes(gossip), "{peer}", "Mesh size per topic");
    }

    /// <summary>Kad routing table, requests sent and the provider records held (NNRP.md §14.2 caps).</summary>
    public static void AddKad(Meter meter, KadService kad)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(kad);
        meter.CreateObservableGauge("nnrp.dht.routing_table_peers", () => kad.RoutingTable.Count, "{peer}", "Peers in the Kad routing table");
        meter.CreateObservableCounter("nnrp.dht.requests_sent", () => kad.RequestsSent, "{request}", "Kad requests this node sent");
        meter.CreateObservableGauge("nnrp.dht.provider_records", () => kad.Providers.Count, "{record}", "Provider records held (NNRP.md §14.2: at most 20 000)");
        meter.CreateObservableGauge("nnrp.dht.provider_record_bytes", () => kad.Providers.Bytes, "By", "Bytes of provider records held (NNRP.md §14.2: at most 16 MiB)");
    }

    private static IEnumerable<Measurement<int>> MeshSizes(GossipSubService gossip) =>
        gossip.Metrics.MeshSizes.Select(static m => new Measurement<int>(m.Value, new KeyValuePair<string, object?>("topic", m.Key)));
}
