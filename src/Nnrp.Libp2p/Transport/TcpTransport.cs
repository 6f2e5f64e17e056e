using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>
/// The TCP transport (libp2p/specs addressing/README.md: <c>/ip4|ip6|dns|dns4|dns6/…/tcp/port</c>,
/// optionally ending in <c>/p2p/…</c>, which the transport ignores and the upgrader checks).
/// It yields raw connections; security and multiplexing are layered on by the host.
/// </summary>
public sealed class TcpTransport : ITransport
{
    private readonly TcpTransportOptions _options;
    private readonly ILogger _logger;

    public TcpTransport(TcpTransportOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _logger = loggerFactory.CreateLogger("Nnrp.Libp2p.Transport.Tcp");
    }

    /// <summary><c>/ip4|ip6|dns|dns4|dns6/…/tcp/port</c>, with an optional final <c>/p2p/…</c>.</summary>
    public bool CanDial(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        IReadOnlyList<MultiaddrComponent> c = address.Components;
        int length = c.Count > 0 && c[^1].Protocol == MultiaddrProtocol.P2p ? c.Count - 1 : c.Count;
        return length == 2
            && c[0].Protocol is MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6
                or MultiaddrProtocol.Dns or MultiaddrProtocol.Dns4 or MultiaddrProtocol.Dns6
            && c[1].Protocol == MultiaddrProtocol.Tcp;
    }

    /// <summary>Exactly <c>/ip4|ip6/…/tcp/port</c>; port 0 lets the system choose.</summary>
    public bool CanListen(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Components.Count == 2 && address.TryGetIPEndPoint(out _);
    }

    /// <summary>
    /// Binds and listens. An <c>/ip6</c> listener is IPv6-only (no dual stack), so
    /// <c>/ip4/0.0.0.0</c> and <c>/ip6/::</c> can be bound side by side on the same port.
    /// </summary>
    public Task<ITransportListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        if (!CanListen(address) || !address.TryGetIPEndPoint(out IPEndPoint? endpoint))
        {
            throw new ArgumentException($"TCP cannot listen on {address}: expected /ip4|ip6/<address>/tcp/<port>", nameof(address));
        }
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }
            socket.Bind(endpoint);
            socket.Listen(_options.ListenBacklog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {address}: {e.SocketErrorCode} ({e.Message})", e);
        }
        var listener = new TcpTransportListener(socket, this, _logger);
        Log.Listening(_logger, listener.ListenAddress);
        return Task.FromResult<ITransportListener>(listener);
    }

    /// <summary>
    /// Connects, resolving a DNS name first (<c>dns4</c>: A records only, <c>dns6</c>: AAAA
    /// only, <c>dns</c>: both) and trying each address in turn. The whole dial is bounded by
    /// <see cref="TcpTransportOptions.DialTimeout"/>. Failures throw
    /// <see cref="TransportDialException"/>; cancelling <paramref name="cancellationToken"/>
    /// throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<ITransportConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken) =>
        await DialTcpAsync(address, cancellationToken);

    /// <summary><see cref="DialAsync"/> typed as TCP (the WebSocket transport dials through it).</summary>
    internal async Task<TransportConnection> DialTcpAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!CanDial(address))
        {
            throw new ArgumentException($"TCP cannot dial {address}: expected /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>", nameof(address));
        }
        Log.Dialing(_logger, address);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.DialTimeout);
        try
        {
            IPAddress[] candidates = await ResolveAsync(address, deadline.Token);
            int port = int.Parse(address.Components[1].ValueString, System.Globalization.CultureInfo.InvariantCulture);
            var failures = new List<string>(candidates.Length);
            foreach (IPAddress ip in candidates)
            {
                var endpoint = new IPEndPoint(ip, port);
                var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    Configure(socket);
                    await socket.ConnectAsync(endpoint, deadline.Token);
                    var connection = Wrap(socket);
                    Log.Connected(_logger, connection.RemoteAddress, connection.LocalAddress);
                    return connection;
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    Log.DialAttemptFailed(_logger, address, endpoint.ToString(), e.SocketErrorCode);
                    failures.Add($"{endpoint}: {Describe(e.SocketErrorCode)}");
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
            throw Fail(address, string.Join("; ", failures));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(address, $"timed out after {_options.DialTimeout.TotalMilliseconds:0} ms", e);
        }
    }

    internal TransportConnection Wrap(Socket socket) => new(socket, _options.MaxBufferedBytes, _logger);

    internal void Configure(Socket socket)
    {
        socket.NoDelay = _options.NoDelay;
        if (_options.ReceiveBufferSize is int receive)
        {
            socket.ReceiveBufferSize = receive;
        }
        if (_options.SendBufferSize is int send)
        {
            socket.SendBufferSize = send;
        }
    }

    private async Task<IPAddress[]> ResolveAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        MultiaddrComponent host = address.Components[0];
        AddressFamily family;
        switch (host.Protocol)
        {
            case MultiaddrProtocol.Ip4:
            case MultiaddrProtocol.Ip6:
                return [new IPAddress(host.Value.Span)];
            case MultiaddrProtocol.Dns4:
                family = AddressFamily.InterNetwork;
                break;
            case MultiaddrProtocol.Dns6:
                family = AddressFamily.InterNetworkV6;
                break;
            default:
                family = AddressFamily.Unspecified;
                break;
        }
        IPAddress[] resolved;
        try
        {
            resolved = await Dns.GetHostAddressesAsync(host.ValueString, family, cancellationToken);
        }
        catch (SocketException e)
        {
            throw Fail(address, $"cannot resolve {host.ValueString}: {Describe(e.SocketErrorCode)}", e);
        }
        // The resolver may still hand back the other family; the protocol decides (addressing spec).
        IPAddress[] usable = family == AddressFamily.Unspecified
            ? resolved
            : Array.FindAll(resolved, ip => ip.AddressFamily == family);
        return usable.Length > 0
            ? usable
            : throw Fail(address, $"{host.ValueString} has no {(family == AddressFamily.InterNetwork ? "IPv4" : family == AddressFamily.InterNetworkV6 ? "IPv6" : "IP")} address");
    }

    private TransportDialException Fail(Multiaddr address, string reason, Exception? inner = null)
    {
        Log.DialFailed(_logger, address, reason);
        return inner is null ? new TransportDialException(address, reason) : new TransportDialException(address, reason, inner);
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.HostNotFound => "host not found",
        SocketError.TryAgain => "name resolution failed temporarily",
        SocketError.NoData => "no address of the requested family",
        SocketError.AddressNotAvailable => "address not available",
        _ => error.ToString(),
    };
}
