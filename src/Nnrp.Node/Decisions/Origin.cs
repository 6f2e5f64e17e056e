using System.Net;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Node.Decisions;

/// <summary>The door a request came in by; each has its own rate rule (<see cref="RateRules"/>).</summary>
public enum OriginKind
{
    /// <summary>The node itself or its operator (tests, the CLI, benchmarks): no rate rule.</summary>
    Local,

    /// <summary>An HTTP client, by address (after trusted proxies, NNRP.md §12).</summary>
    HttpClient,

    /// <summary>A libp2p peer on /nnrp/1.0 publish, fetch or status (§11).</summary>
    Peer,

    /// <summary>A libp2p peer asking sync requests of this node (§11.8.7).</summary>
    SyncPeer,

    /// <summary>A GossipSub peer (§14.3): bounded by the router's scores and queues, not by a rate rule here.</summary>
    GossipPeer,

    /// <summary>A peer this node pulled from by sync (§11.8.5): this node asked, so no rate rule.</summary>
    SyncPull,
}

/// <summary>Who asked: the door and the key its rate rule counts under (an address or a peer id).</summary>
public readonly record struct Origin(OriginKind Kind, string Key)
{
    /// <summary>The node itself.</summary>
    public static Origin Local { get; } = new(OriginKind.Local, "local");

    /// <summary>An HTTP client address (unknown when the server could not tell).</summary>
    public static Origin HttpClient(IPAddress? address) => new(OriginKind.HttpClient, address?.ToString() ?? "unknown");

    /// <summary>A peer on /nnrp/1.0.</summary>
    public static Origin Peer(PeerId peer) => new(OriginKind.Peer, Text(peer));

    /// <summary>A peer asking a sync request.</summary>
    public static Origin SyncPeer(PeerId peer) => new(OriginKind.SyncPeer, Text(peer));

    /// <summary>A GossipSub peer that forwarded a message.</summary>
    public static Origin GossipPeer(PeerId peer) => new(OriginKind.GossipPeer, Text(peer));

    /// <summary>A peer this node pulled notifications from.</summary>
    public static Origin SyncPull(PeerId peer) => new(OriginKind.SyncPull, Text(peer));

    public override string ToString() => $"{Kind}:{Key}";

    private static string Text(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return peer.ToString();
    }
}
