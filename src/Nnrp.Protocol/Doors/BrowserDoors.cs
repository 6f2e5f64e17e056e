using Nnrp.Libp2p.Addressing;

namespace Nnrp.Protocol.Doors;

/// <summary>
/// NNRP.md §12 "Browser doors": the addresses a web page can use to reach a node — the libp2p
/// WebSocket transport and the HTTP API, each plain or under TLS — as opposed to raw TCP, which a
/// browser cannot open. Written as multiaddrs (multiformats/multiaddr protocols.csv), optionally
/// ending in <c>/p2p/&lt;peer id&gt;</c>:
/// <code>
///   /ip4|ip6|dns|dns4|dns6/&lt;host&gt;/tcp/&lt;port&gt;/ws              libp2p over WebSocket
///   /…/tcp/&lt;port&gt;/tls/ws   or   /…/tcp/&lt;port&gt;/wss            … under TLS
///   /…/tcp/&lt;port&gt;/http                                    the HTTP API (§12)
///   /…/tcp/&lt;port&gt;/tls/http or   /…/tcp/&lt;port&gt;/https          … under TLS
/// </code>
/// </summary>
public static class BrowserDoors
{
    /// <summary>Whether a browser can reach <paramref name="address"/> (one of the forms above).</summary>
    public static bool IsBrowserDoor(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return KindOf(address) is not DoorKind.None;
    }

    /// <summary>
    /// Whether <paramref name="address"/> is a browser door worth telling strangers: a public
    /// host, or any host when <paramref name="allowPrivate"/> (a private network or loopback
    /// testnet, as Kad keeps private addresses only there; NNRP.md §14.2).
    /// </summary>
    public static bool IsAdvertisable(Multiaddr address, bool allowPrivate) =>
        IsBrowserDoor(address) && (allowPrivate || address.IsPubliclyRoutable);

    /// <summary>What kind of door <paramref name="address"/> is; <see cref="DoorKind.None"/> when a browser cannot use it.</summary>
    public static DoorKind KindOf(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        IReadOnlyList<MultiaddrComponent> c = address.WithoutPeerId().Components;
        if (c.Count < 3 || !IsHost(c[0].Protocol) || c[1].Protocol != MultiaddrProtocol.Tcp)
        {
            return DoorKind.None;
        }
        return (c.Count, c[2].Protocol, c.Count > 3 ? c[3].Protocol : default) switch
        {
            (3, MultiaddrProtocol.Ws, _) => DoorKind.WebSocket,
            (3, MultiaddrProtocol.Wss, _) => DoorKind.SecureWebSocket,
            (4, MultiaddrProtocol.Tls, MultiaddrProtocol.Ws) => DoorKind.SecureWebSocket,
            (3, MultiaddrProtocol.Http, _) => DoorKind.Http,
            (3, MultiaddrProtocol.Https, _) => DoorKind.Https,
            (4, MultiaddrProtocol.Tls, MultiaddrProtocol.Http) => DoorKind.Https,
            _ => DoorKind.None,
        };
    }

    internal static bool IsHost(MultiaddrProtocol protocol) => protocol is MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6
        or MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6;
}

/// <summary>The kinds of <see cref="BrowserDoors"/>.</summary>
public enum DoorKind
{
    /// <summary>Not reachable from a browser (raw TCP, QUIC, a relay circuit …).</summary>
    None,

    /// <summary><c>/ws</c>: libp2p over plain WebSocket (http pages only; browsers block it from https pages).</summary>
    WebSocket,

    /// <summary><c>/tls/ws</c> or <c>/wss</c>: libp2p over WebSocket under TLS.</summary>
    SecureWebSocket,

    /// <summary><c>/http</c>: the HTTP API (NNRP.md §12) in plain HTTP.</summary>
    Http,

    /// <summary><c>/tls/http</c> or <c>/https</c>: the HTTP API under TLS.</summary>
    Https,
}
