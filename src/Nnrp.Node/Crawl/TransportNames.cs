using Nnrp.Libp2p.Addressing;

namespace Nnrp.Node.Crawl;

/// <summary>
/// The transport of a multiaddr in one word, for the crawl report: <c>tcp</c>, <c>ws</c>,
/// <c>tls/ws</c> (<c>/tls/ws</c> or <c>/wss</c>), <c>relay</c> (<c>/p2p-circuit</c>),
/// <c>quic</c>, <c>webtransport</c>, <c>webrtc</c>, <c>http</c> / <c>https</c> (an HTTP API door,
/// NNRP.md §12: not a libp2p transport, but how wallets reach the node), else <c>other</c>.
/// </summary>
public static class TransportNames
{
    public static string Of(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        bool tls = false;
        bool ws = false;
        bool tcp = false;
        bool http = false;
        foreach (MultiaddrComponent component in address.Components)
        {
            switch (component.Protocol)
            {
                case MultiaddrProtocol.P2pCircuit:
                    return "relay";
                case MultiaddrProtocol.WebTransport:
                    return "webtransport";
                case MultiaddrProtocol.WebRtc or MultiaddrProtocol.WebRtcDirect:
                    return "webrtc";
                case MultiaddrProtocol.Quic or MultiaddrProtocol.QuicV1:
                    return "quic";
                case MultiaddrProtocol.Wss:
                    return "tls/ws";
                case MultiaddrProtocol.Https:
                    return "https";
                case MultiaddrProtocol.Http:
                    http = true;
                    break;
                case MultiaddrProtocol.Tls:
                    tls = true;
                    break;
                case MultiaddrProtocol.Ws:
                    ws = true;
                    break;
                case MultiaddrProtocol.Tcp:
                    tcp = true;
                    break;
            }
        }
        return http ? (tls ? "https" : "http") : ws ? (tls ? "tls/ws" : "ws") : tcp ? "tcp" : "other";
    }

    /// <summary>The distinct transports of <paramref name="addresses"/>, in a fixed order.</summary>
    public static IReadOnlyList<string> Of(IEnumerable<Multiaddr> addresses) =>
        [.. addresses.Select(Of).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
