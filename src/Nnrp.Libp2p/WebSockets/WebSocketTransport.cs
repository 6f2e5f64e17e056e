using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;

namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// The WebSocket transport (libp2p/specs websockets/README.md, RFC 6455): TCP, optionally TLS,
/// an HTTP/1.1 upgrade, then libp2p's bytes in binary frames. It yields raw connections; the
/// host runs multistream-select, Noise and Yamux over them exactly as over TCP. Browsers reach
/// a node this way (js-libp2p <c>@libp2p/websockets</c>).
/// </summary>
public sealed class WebSocketTransport : ITransport
{
    private readonly WebSocketTransportOptions _options;
    private readonly TcpTransportOptions _tcpOptions;
    private readonly TcpTransport _tcp;
    private readonly ILogger _logger;

    public WebSocketTransport(WebSocketTransportOptions options, TcpTransportOptions tcpOptions, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tcpOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _tcpOptions = tcpOptions;
        _tcp = new TcpTransport(tcpOptions, loggerFactory);
        _logger = loggerFactory.CreateLogger("Nnrp.Libp2p.WebSockets");
    }

    /// <summary><c>/ip4|ip6|dns|dns4|dns6/…/tcp/port</c> + <c>/ws</c>, <c>/tls/ws</c>, <c>/wss</c> or <c>/tls/sni/name/ws</c>, optionally <c>/p2p/…</c>.</summary>
    public bool CanDial(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return WebSocketAddress.TryParse(address, out _);
    }

    /// <summary><c>/ip4|ip6/…/tcp/port/ws</c>, or with <c>/tls/ws</c> (<c>/wss</c>) when a certificate is configured or not; port 0 lets the system choose.</summary>
    public bool CanListen(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return WebSocketAddress.TryParse(address, out WebSocketAddress? ws)
            && ws.IsIpAddress && ws.ServerName is null && address.PeerIdMultihash is null;
    }

    /// <summary>
    /// Binds the TCP port. A <c>/tls/ws</c> listener needs
    /// <see cref="WebSocketTransportOptions.ServerCertificate"/> (with its private key); without
    /// one this throws <see cref="InvalidOperationException"/> before binding.
    /// </summary>
    public async Task<ITransportListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!CanListen(address) || !WebSocketAddress.TryParse(address, out WebSocketAddress? ws))
        {
            throw new ArgumentException($"WebSocket cannot listen on {address}: expected /ip4|ip6/<address>/tcp/<port>/ws or …/tls/ws", nameof(address));
        }
        if (ws.Tls && _options.ServerCertificate is null)
        {
            throw new InvalidOperationException($"listening on {address} needs a TLS certificate (WebSocket ServerCertificate, e.g. the node's --tls-cert/--tls-key), or listen on /ws behind a TLS-terminating proxy");
        }
        if (ws.Tls && !_options.ServerCertificate!.HasPrivateKey)
        {
            throw new InvalidOperationException($"listening on {address}: the TLS certificate {_options.ServerCertificate.Subject} has no private key");
        }
        ITransportListener tcp = await _tcp.ListenAsync(ws.TcpAddress, cancellationToken);
        var listener = new WebSocketTransportListener((TcpTransportListener)tcp, ws.Tls ? _options.ServerCertificate : null, _options.UpgradeTimeout, _tcpOptions.MaxBufferedBytes, _logger);
        Log.Listening(_logger, listener.ListenAddress);
        return listener;
    }

    /// <summary>
    /// TCP connect (resolving DNS as the TCP transport does), TLS if asked, then the upgrade
    /// within <see cref="WebSocketTransportOptions.UpgradeTimeout"/>. Every failure is a
    /// <see cref="TransportDialException"/>; the caller's cancellation an <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<ITransportConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!WebSocketAddress.TryParse(address, out WebSocketAddress? ws))
        {
            throw new ArgumentException($"WebSocket cannot dial {address}: expected /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>/ws or …/tls/ws", nameof(address));
        }
        Log.Dialing(_logger, address);
        TransportConnection tcp = await _tcp.DialTcpAsync(ws.TcpAddress, cancellationToken);
        try
        {
            return await WebSocketConnection.ConnectAsync(
                tcp, ws, _options.RemoteCertificateValidation, _options.UpgradeTimeout, _tcpOptions.MaxBufferedBytes, _logger, cancellationToken);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            string reason = e is AuthenticationException ? "TLS handshake failed: " + e.Message : e.Message;
            Log.DialFailed(_logger, address, reason);
            throw new TransportDialException(address, reason, e);
        }
    }
}
