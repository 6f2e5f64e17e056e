using System.Text.Json.Serialization;

namespace Nnrp.Http.Status;

/// <summary>
/// <c>GET /v1/status</c> (NNRP.md §12): who the node is, where it can be reached, what it asks
/// for and holds, and how it is doing in the network. Thresholds are 16 hex digits (§6.2);
/// <c>addrs</c> are every advertised multiaddr with <c>/p2p/</c>, <c>addresses</c> only the
/// browser doors (§12 "Browser doors"), without <c>/p2p/</c>, as a <c>/v1/peers</c> entry writes them.
/// </summary>
public sealed record StatusBody(
    [property: JsonPropertyName("peer_id")] string PeerId,
    [property: JsonPropertyName("addrs")] IReadOnlyList<string> Addrs,
    [property: JsonPropertyName("addresses")] IReadOnlyList<string> Addresses,
    [property: JsonPropertyName("agent")] string Agent,
    [property: JsonPropertyName("protocol_version")] uint ProtocolVersion,
    [property: JsonPropertyName("base_threshold")] string BaseThreshold,
    [property: JsonPropertyName("current_threshold")] string CurrentThreshold,
    [property: JsonPropertyName("stored")] ulong Stored,
    [property: JsonPropertyName("store_bytes")] long StoreBytes,
    [property: JsonPropertyName("now")] ulong Now,
    [property: JsonPropertyName("max_payload")] uint MaxPayload,
    [property: JsonPropertyName("min_ttl")] uint MinTtl,
    [property: JsonPropertyName("max_ttl")] uint MaxTtl,
    [property: JsonPropertyName("max_page")] uint MaxPage,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("known_peers")] int KnownPeers,
    [property: JsonPropertyName("shards")] IReadOnlyList<ShardBody> Shards,
    [property: JsonPropertyName("dht")] DhtBody Dht,
    [property: JsonPropertyName("sync")] SyncBody Sync)
{
    /// <summary>NNRP.md §14.5: <c>unknown</c>, <c>public</c> or <c>private</c>, as AutoNAT found.</summary>
    [JsonPropertyName("reachability")]
    public string Reachability { get; init; } = "unknown";
}

/// <summary>A shard the node stores (§8): its top <c>bits</c> are <c>index</c>.</summary>
public sealed record ShardBody(
    [property: JsonPropertyName("bits")] uint Bits,
    [property: JsonPropertyName("index")] uint Index);

/// <summary>The DHT as this node sees it: whether its bootstrap finished, and the routing table's size (§14.2).</summary>
public sealed record DhtBody(
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("routing_table")] int RoutingTable)
{
    /// <summary>§14.2, §14.5: <c>server</c> (answers DHT requests) or <c>client</c>.</summary>
    [JsonPropertyName("mode")]
    public string Mode { get; init; } = "server";
}

/// <summary>
/// Set reconciliation with peers since start (§11.8): sessions run and failed, notifications
/// pulled from peers and offered to them, and whether the node offers its own (§11.8.6).
/// </summary>
public sealed record SyncBody(
    [property: JsonPropertyName("sessions")] long Sessions,
    [property: JsonPropertyName("sessions_failed")] long SessionsFailed,
    [property: JsonPropertyName("items_pulled")] long ItemsPulled,
    [property: JsonPropertyName("items_offered")] long ItemsOffered,
    [property: JsonPropertyName("offering")] bool Offering);
