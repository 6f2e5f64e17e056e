using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// A TCP listener whose connections speak WebSocket. Accepting returns at once; TLS and the
/// HTTP upgrade run inside the connection, so they count as a pending handshake in the host
/// (and under its handshake timeout) instead of holding up the accept loop.
/// </summary>
internal sealed class WebSocketTransportListener(
    TcpTransportListener tcp,
    X509Certificate2? certificate,
    TimeSpan upgradeTimeout,
    long maxBufferedBytes,
    ILogger logger) : ITransportListener
{
    /// <summary><c>/ip4|ip6/…/tcp/port/ws</c>, or <c>…/tls/ws</c> with TLS (never the legacy <c>/wss</c>).</summary>
    public Multiaddr ListenAddress { get; } = tcp.ListenAddress.Encapsulate(WebSocketAddress.Suffix(certificate is not null));

    public async ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken)
    {
        TransportConnection? accepted = await tcp.AcceptTcpAsync(cancellationToken);
        return accepted is null ? null : WebSocketConnection.Accept(accepted, certificate, upgradeTimeout, maxBufferedBytes, logger);
    }

    public ValueTask DisposeAsync() => tcp.DisposeAsync();
}
