using System.Text.Json.Serialization;

namespace Nnrp.Http.Peers;

/// <summary><c>GET /v1/peers</c> (NNRP.md §12 "Browser doors"): other nodes and the doors a browser can open to them.</summary>
public sealed record PeersBody([property: JsonPropertyName("peers")] IReadOnlyList<PeerEntry> Peers);

/// <summary>One node: its peer id and its browser doors (multiaddrs without <c>/p2p/</c>).</summary>
public sealed record PeerEntry(
    [property: JsonPropertyName("peer_id")] string PeerId,
    [property: JsonPropertyName("addresses")] IReadOnlyList<string> Addresses);
