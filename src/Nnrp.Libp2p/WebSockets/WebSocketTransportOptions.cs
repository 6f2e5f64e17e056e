using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>Settings of the WebSocket transport (<c>/ws</c>, <c>/tls/ws</c>); TCP settings come from the TCP options.</summary>
public sealed class WebSocketTransportOptions
{
    /// <summary>
    /// The certificate (with its private key) a <c>/tls/ws</c> listener presents. Listening on
    /// <c>/tls/ws</c> (or <c>/wss</c>) without one fails at start. Plain <c>/ws</c> needs none;
    /// a TLS-terminating reverse proxy in front of a <c>/ws</c> listener is the other way to
    /// serve browsers on https pages.
    /// </summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>
    /// Checks the server certificate when dialing <c>/tls/ws</c>; null is the system's normal
    /// validation (chain and name). Tests dialing a self-signed certificate set their own.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; init; }

    /// <summary>
    /// Budget for the opening handshake (TLS and the HTTP upgrade) on either side, counted
    /// from the TCP connect or accept. A peer that trickles its request (slowloris) is cut off
    /// here; an inbound handshake is also bounded by the host's handshake timeout.
    /// </summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(5);

}
