using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>A listening TCP socket handing out <see cref="TransportConnection"/>s.</summary>
internal sealed class TcpTransportListener : ITransportListener
{
    private readonly Socket _socket;
    private readonly TcpTransport _transport;
    private readonly ILogger _logger;
    private int _disposed;

    public TcpTransportListener(Socket socket, TcpTransport transport, ILogger logger)
    {
        _socket = socket;
        _transport = transport;
        _logger = logger;
        ListenAddress = Multiaddr.FromIPEndPoint((IPEndPoint)socket.LocalEndPoint!);
    }

    public Multiaddr ListenAddress { get; }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public async ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken) =>
        await AcceptTcpAsync(cancellationToken);

    /// <summary>The next accepted socket as a TCP connection (the WebSocket listener builds on it).</summary>
    internal async ValueTask<TransportConnection?> AcceptTcpAsync(CancellationToken cancellationToken)
    {
        while (!IsDisposed)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException) when (IsDisposed)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // The peer gave up while queued; the listener itself is fine.
                Log.AcceptAborted(_logger, ListenAddress, e.SocketErrorCode);
                continue;
            }
            catch (SocketException e)
            {
                throw new IOException($"accepting on {ListenAddress} failed: {e.SocketErrorCode} ({e.Message})", e);
            }
            try
            {
                _transport.Configure(accepted);
                TransportConnection connection = _transport.Wrap(accepted);
                Log.Accepted(_logger, connection.RemoteAddress, connection.LocalAddress);
                return connection;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Reset between accept and setup (e.g. no remote endpoint any more).
                accepted.Dispose();
            }
        }
        return null;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.Dispose();
            Log.ListenerStopped(_logger, ListenAddress);
        }
        return ValueTask.CompletedTask;
    }
}
