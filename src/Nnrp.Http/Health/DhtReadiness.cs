namespace Nnrp.Http.Health;

/// <summary>What <see cref="DhtReadinessCheck"/> probes: whether the Kad-DHT has started and how full its routing table is.</summary>
/// <param name="Started">The DHT has run its bootstrap (a node that has not is never ready).</param>
/// <param name="RoutingTablePeers">Peers in the routing table now.</param>
/// <param name="BootstrapPeers">Bootstrap peers configured; zero for the first node of a network.</param>
public readonly record struct DhtReadiness(bool Started, int RoutingTablePeers, int BootstrapPeers);
