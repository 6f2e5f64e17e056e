using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// A WebSocket multiaddr taken apart (libp2p/specs websockets/README.md, multiaddr
/// protocols.csv): <c>/ip4|ip6|dns|dns4|dns6/host/tcp/port</c> followed by
/// <c>/ws</c> (plain), <c>/tls/ws</c> or the legacy <c>/wss</c> (TLS), or
/// <c>/tls/sni/&lt;name&gt;/ws</c> (TLS with an explicit server name, dialing only), with an
/// optional final <c>/p2p/…</c>. Both TLS spellings parse; addresses this node writes use
/// <c>/tls/ws</c>.
/// </summary>
internal sealed record WebSocketAddress(Multiaddr TcpAddress, bool Tls, string? ServerName)
{
    private static readonly Multiaddr s_plainSuffix = Multiaddr.Parse("/ws");
    private static readonly Multiaddr s_tlsSuffix = Multiaddr.Parse("/tls/ws");

    /// <summary>The suffix a listener or connection of this kind writes after <c>/tcp/port</c>.</summary>
    public static Multiaddr Suffix(bool tls) => tls ? s_tlsSuffix : s_plainSuffix;

    public static bool TryParse(Multiaddr address, [NotNullWhen(true)] out WebSocketAddress? result)
    {
        result = null;
        IReadOnlyList<MultiaddrComponent> c = address.Components;
        int length = c.Count > 0 && c[^1].Protocol == MultiaddrProtocol.P2p ? c.Count - 1 : c.Count;
        if (length < 3
            || c[0].Protocol is not (MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6
                or MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6)
            || c[1].Protocol != MultiaddrProtocol.Tcp)
        {
            return false;
        }
        bool tls;
        string? sni = null;
        switch (length)
        {
            case 3 when c[2].Protocol == MultiaddrProtocol.Ws:
                tls = false;
                break;
            case 3 when c[2].Protocol == MultiaddrProtocol.Wss:
            case 4 when c[2].Protocol == MultiaddrProtocol.Tls && c[3].Protocol == MultiaddrProtocol.Ws:
                tls = true;
                break;
            case 5 when c[2].Protocol == MultiaddrProtocol.Tls && c[3].Protocol == MultiaddrProtocol.Sni && c[4].Protocol == MultiaddrProtocol.Ws:
                tls = true;
                sni = c[3].ValueString;
                break;
            default:
                return false;
        }
        result = new WebSocketAddress(Multiaddr.FromComponents([c[0], c[1]]), tls, sni);
        return true;
    }

    public bool IsIpAddress => TcpAddress.TryGetIPEndPoint(out _);

    public int Port => int.Parse(TcpAddress.Components[1].ValueString, CultureInfo.InvariantCulture);

    /// <summary>The HTTP <c>Host</c> header (RFC 6455 §4.1 item 4: host and port, IPv6 in brackets).</summary>
    public string HostHeader
    {
        get
        {
            MultiaddrComponent host = TcpAddress.Components[0];
            string name = host.Protocol == MultiaddrProtocol.Ip6 ? "[" + host.ValueString + "]" : host.ValueString;
            return name + ":" + Port.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The name TLS checks the certificate against: the SNI if given, else the DNS name or IP literal.</summary>
    public string TlsTargetHost => ServerName ?? TcpAddress.Components[0].ValueString;
}
