using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;

namespace Nnrp.Http.Metrics;

/// <summary>Ingress decisions by reason, thresholds and what the store holds.</summary>
public sealed class IngressMetrics(NnrpNode node) : IMetricsSource
{
    public void Collect(PrometheusWriter writer)
    {
        foreach (DecisionStatus status in Enum.GetValues<DecisionStatus>())
        {
            writer.Counter("nnrp_ingress_total", "Notifications decided by the ingress gate, by outcome", node.Ingress.Count(status), ("reason", Problems.Reason(status)));
        }
        var stats = node.Store.Statistics;
        writer.Gauge("nnrp_store_notifications", "Notifications stored", stats.Count);
        writer.Gauge("nnrp_store_bytes", "Encoded bytes of the stored notifications (what the size cap limits)", stats.Bytes);
        writer.Gauge("nnrp_store_disk_bytes", "Store files on disk", stats.DiskBytes);
        writer.Gauge("nnrp_work_current_multiplier", "Current required work as a multiple of the base threshold", Nnrp.Core.Work.Thresholds.ToMultiplier(node.Ingress.CurrentThreshold, node.Ingress.Policy.BaseThreshold));
        writer.Gauge("nnrp_ingress_utilisation", "u of NNRP.md §6.3: max(ingress queue fill, store fill), 0..1", node.Ingress.Utilisation);
    }
}

/// <summary>Connections and known peers of the libp2p host.</summary>
public sealed class HostMetrics(Libp2pHost host) : IMetricsSource
{
    public void Collect(PrometheusWriter writer)
    {
        writer.Gauge("nnrp_p2p_connections", "Open libp2p connections", host.Connections.Count);
        writer.Gauge("nnrp_p2p_pending_inbound", "Inbound connections still in their handshake (NNRP.md §14.1)", host.PendingInboundCount);
        writer.Gauge("nnrp_p2p_known_peers", "Peers in the peer store", host.PeerStore.Count);
    }
}

/// <summary>GossipSub counters and mesh sizes.</summary>
public sealed class GossipMetrics(GossipSubService gossip) : IMetricsSource
{
    public void Collect(PrometheusWriter writer)
    {
        var m = gossip.Metrics;
        writer.Counter("nnrp_gossip_delivered_total", "Gossip messages accepted by validation", m.Delivered);
        writer.Counter("nnrp_gossip_duplicates_total", "Gossip copies of messages already seen", m.Duplicates);
        writer.Counter("nnrp_gossip_rejected_total", "Gossip messages rejected by validation", m.Rejected);
        writer.Counter("nnrp_gossip_ignored_total", "Gossip messages ignored by validation", m.Ignored);
        writer.Counter("nnrp_gossip_validation_dropped_total", "Gossip messages dropped because validation was full", m.ValidationDropped);
        writer.Counter("nnrp_gossip_published_total", "Messages this node published", m.Published);
        IReadOnlyCollection<PeerId> peers = gossip.Peers;
        writer.Gauge("nnrp_gossip_peers", "Peers speaking GossipSub", peers.Count);
        // Issue 12: honest nodes never score each other below 0 (NNRP.md §14.3); this shows it.
        writer.Gauge("nnrp_gossip_peer_score_min", "Lowest GossipSub score among connected gossip peers (0 with none)", peers.Select(gossip.GetScore).DefaultIfEmpty(0).Min());
        foreach ((string topic, int size) in m.MeshSizes)
        {
            writer.Gauge("nnrp_gossip_mesh_peers", "Mesh size per topic", size, ("topic", topic));
        }
    }
}

/// <summary>Kad-DHT routing table, request counters and provider records.</summary>
public sealed class KadMetrics(KadService kad) : IMetricsSource
{
    public void Collect(PrometheusWriter writer)
    {
        writer.Gauge("nnrp_dht_routing_table_peers", "Peers in the Kad routing table", kad.RoutingTable.Count);
        writer.Counter("nnrp_dht_requests_sent_total", "Kad requests this node sent", kad.RequestsSent);
        writer.Gauge("nnrp_dht_provider_records", "Provider records held (NNRP.md §14.2: at most 20 000)", kad.Providers.Count);
        writer.Gauge("nnrp_dht_provider_record_bytes", "Bytes of provider records held (NNRP.md §14.2: at most 16 MiB)", kad.Providers.Bytes);
    }
}
