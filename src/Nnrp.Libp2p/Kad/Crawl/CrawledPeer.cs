using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Kad.Crawl;

/// <summary>What a crawl learnt about one peer it tried to visit.</summary>
/// <param name="Peer">its peer id.</param>
/// <param name="Addresses">as the DHT named them, then as identify listed them (distinct, at most 32 from each).</param>
/// <param name="DialedAddress">the address our direct dial succeeded on; null: unreachable.</param>
/// <param name="Error">why the peer is unreachable, or what failed after the dial; null when all went well.</param>
/// <param name="AgentVersion">identify's agent version.</param>
/// <param name="ProtocolVersion">identify's protocol version.</param>
/// <param name="Protocols">what identify listed (empty when unreachable or identify failed).</param>
/// <param name="ServesKad">identify lists the crawl's Kad protocol id: a DHT server.</param>
/// <param name="KadRequests">FIND_NODE requests answered.</param>
/// <param name="PeersNamed">distinct peers its answers named.</param>
public sealed record CrawledPeer(
    PeerId Peer,
    IReadOnlyList<Multiaddr> Addresses,
    Multiaddr? DialedAddress,
    string? Error,
    string? AgentVersion,
    string? ProtocolVersion,
    IReadOnlyList<string> Protocols,
    bool ServesKad,
    int KadRequests,
    int PeersNamed)
{
    /// <summary>Our direct dial to one of its addresses succeeded.</summary>
    public bool Reachable => DialedAddress is not null;
}

/// <summary>The result of a crawl.</summary>
/// <param name="Peers">every peer visited, in the order visits ended.</param>
/// <param name="NotVisited">peers named but not visited before the deadline.</param>
/// <param name="DeadlineReached">the crawl was stopped by <see cref="KadCrawlOptions.Deadline"/>.</param>
/// <param name="CapReached">more peers were named than <see cref="KadCrawlOptions.MaxPeers"/>.</param>
/// <param name="BootstrapReached">bootstrap peers our dial reached.</param>
/// <param name="Elapsed">from start to the last visit's end.</param>
public sealed record KadCrawlResult(
    IReadOnlyList<CrawledPeer> Peers,
    int NotVisited,
    bool DeadlineReached,
    bool CapReached,
    int BootstrapReached,
    TimeSpan Elapsed)
{
    /// <summary>Every peer named was visited: the map is the whole network reachable from the bootstrap peers.</summary>
    public bool Complete => !DeadlineReached && !CapReached && NotVisited == 0;
}
