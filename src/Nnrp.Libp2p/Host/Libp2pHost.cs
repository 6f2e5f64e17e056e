using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.ConnectionManager;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.WebSockets;
using Nnrp.Libp2p.Yamux;
using Mss = Nnrp.Libp2p.MultistreamSelect.MultistreamSelect;

namespace Nnrp.Libp2p.Host;

public sealed class ConnectionEventArgs(Connection connection) : EventArgs
{
    public Connection Connection { get; } = connection;
}

/// <summary>
/// A libp2p host over TCP or WebSocket (chosen per multiaddr) + Noise + Yamux: listens, dials
/// by multiaddr or peer id, serves stream handlers by protocol id, and keeps connections within <see cref="ConnectionLimits"/>
/// (admission by <see cref="ConnectionGater"/>, watermarks by <see cref="ConnectionTrimmer"/>,
/// per-protocol stream caps by <see cref="StreamLimiter"/>; NNRP.md §14.1). Protocols (identify, ping, Kad, GossipSub, NNRP) sit on top as stream handlers and
/// connection-event subscribers, so the host knows none of them.
/// </summary>
public sealed class Libp2pHost : IAsyncDisposable
{
    private readonly KeyPair _identity;
    private readonly HostOptions _options;
    private readonly ILogger _logger;
    private readonly ITransport[] _transports;
    private readonly ConnectionUpgrader _upgrader;
    private readonly ConcurrentDictionary<string, StreamHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly ConcurrentDictionary<PeerId, Task<Connection>> _pendingDials = new();
    private readonly BackgroundTasks _background = new();
    private readonly List<ITransportListener> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConnectionGater _gater;
    private readonly ILoggerFactory _loggerFactory;
    private readonly PeerProtection _protection = new();
    private readonly ConnectionTrimmer _trimmer;
    private readonly StreamLimiter _streams;
    private IReadOnlyList<Multiaddr> _otherDoors = [];
    private IReadOnlyList<Multiaddr> _relayedAddresses = [];
    private long _lastTrimTicks;
    private int _state; // 0 new, 1 started, 2 stopped
    private volatile bool _quiet;

    public Libp2pHost(KeyPair identity, HostOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _identity = identity;
        _options = options ?? new HostOptions();
        loggerFactory ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<Libp2pHost>();
        _transports =
        [
            // First: a circuit address starts like a TCP one (circuit-v2.md; Relay/README.md).
            new CircuitTransport(this, loggerFactory),
            new TcpTransport(_options.Tcp, loggerFactory),
            new WebSocketTransport(_options.WebSocket, _options.Tcp, loggerFactory),
        ];
        _upgrader = new ConnectionUpgrader(identity, _options, loggerFactory);
        PeerStore = new PeerStore();
        _gater = new ConnectionGater(_options.Limits);
        _trimmer = new ConnectionTrimmer(_options.Limits, _protection);
        _streams = new StreamLimiter(_options.Limits);
    }

    public PeerId PeerId => _identity.PeerId;

    public KeyPair Identity => _identity;

    public HostOptions Options => _options;

    public PeerStore PeerStore { get; }

    /// <summary>The bound listen addresses (with real ports, wildcards as bound).</summary>
    public IReadOnlyList<Multiaddr> ListenAddresses
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.Select(static l => l.ListenAddress).ToArray();
            }
        }
    }

    public IReadOnlyCollection<string> Protocols => (IReadOnlyCollection<string>)_handlers.Keys;

    public IReadOnlyCollection<Connection> Connections => (IReadOnlyCollection<Connection>)_connections.Keys;

    /// <summary>Inbound connections still in their handshake.</summary>
    public int PendingInboundCount => _gater.Pending;

    /// <summary>
    /// Score of a peer when connections are trimmed (higher is kept longer), e.g. GossipSub's
    /// peer score; null scores every peer 0.
    /// </summary>
    public Func<PeerId, double>? PeerScore
    {
        get => _trimmer.Score;
        set => _trimmer.Score = value;
    }

    /// <summary>
    /// Keeps the connections to <paramref name="peer"/> from being trimmed while any tag
    /// holds it (go-libp2p connmgr's Protect): Kad tags its routing table, GossipSub its mesh.
    /// </summary>
    public void Protect(PeerId peer, string tag) => _protection.Protect(peer, tag);

    /// <summary>Drops one protection tag; returns whether another still protects the peer.</summary>
    public bool Unprotect(PeerId peer, string tag) => _protection.Unprotect(peer, tag);

    public bool IsProtected(PeerId peer) => _protection.IsProtected(peer);

    /// <summary>A connection finished its handshake and counts against the limits.</summary>
    public event EventHandler<ConnectionEventArgs>? ConnectionOpened;

    /// <summary>A connection ended, gracefully or not.</summary>
    public event EventHandler<ConnectionEventArgs>? ConnectionClosed;

    /// <summary>A stream handler was added or removed (identify push listens).</summary>
    public event EventHandler? ProtocolsChanged;

    /// <summary>The advertised addresses changed (<see cref="SetOtherDoors"/>; identify push listens).</summary>
    public event EventHandler? AddressesChanged;

    /// <summary>
    /// Addresses of this node's doors that no libp2p listener serves — its HTTP API as
    /// <c>/…/tcp/&lt;port&gt;/http</c> or <c>/tls/http</c> — advertised after the libp2p addresses in
    /// identify and Kad peer records, so whoever learns of the node finds them (NNRP.md §12).
    /// </summary>
    public void SetOtherDoors(IReadOnlyList<Multiaddr> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        Volatile.Write(ref _otherDoors, addresses.ToArray());
        Announce(AddressesChanged);
    }

    /// <summary>
    /// Our <c>/p2p-circuit</c> addresses through relays that hold a reservation for us
    /// (<see cref="RelayClient"/>), advertised after the direct ones; identify pushes them.
    /// </summary>
    public void SetRelayedAddresses(IReadOnlyList<Multiaddr> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        Volatile.Write(ref _relayedAddresses, addresses.ToArray());
        Announce(AddressesChanged);
    }

    /// <summary>Registers the handler for inbound streams that agree on <paramref name="protocol"/>.</summary>
    public void SetStreamHandler(string protocol, StreamHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        bool added = !_handlers.ContainsKey(protocol);
        _handlers[protocol] = handler;
        if (added)
        {
            Announce(ProtocolsChanged);
        }
    }

    public void RemoveStreamHandler(string protocol)
    {
        if (_handlers.TryRemove(protocol, out _))
        {
            Announce(ProtocolsChanged);
        }
    }

    /// <summary>
    /// Shutdown has begun: from here on handler and address changes are not announced. The
    /// services of a stopping node remove their handlers one by one, and announcing each
    /// (identify push, NNRP.md §14.1) would cost a stream per peer per handler and tell every
    /// peer that the node stopped serving the DHT, so their routing tables drop a node that may
    /// only be restarting (§14.5: Kad leaves a table on a push without its protocol).
    /// </summary>
    public void BeginShutdown() => _quiet = true;

    private void Announce(EventHandler? changed)
    {
        if (!_quiet)
        {
            changed?.Invoke(this, EventArgs.Empty);
        }
    }

    /// <summary>Binds every configured listen address; <c>/tcp/0</c> gets an OS-chosen port.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the host was already started");
        }
        foreach (Multiaddr address in _options.ListenAddresses)
        {
            ITransportListener listener;
            try
            {
                ITransport transport = Array.Find(_transports, t => t.CanListen(address))
                    ?? throw new ArgumentException($"no transport listens on {address}: expected /ip4|ip6/<address>/tcp/<port>, optionally followed by /ws or /tls/ws");
                listener = await transport.ListenAsync(address, cancellationToken);
            }
            catch (SocketException ex) when (IsIpv6Wildcard(address) && ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
            {
                // A host without IPv6 still serves IPv4; only the default wildcard is optional.
                _logger.DialFailed(address.ToString(), "IPv6 unavailable: " + ex.Message);
                continue;
            }
            lock (_listeners)
            {
                _listeners.Add(listener);
            }
            _logger.Listening(listener.ListenAddress.ToString());
            Track(AcceptLoopAsync(listener));
        }
        Track(TrimLoopAsync());
    }

    /// <summary>
    /// Addresses worth telling other peers: the announce addresses if configured, else the
    /// listen addresses with wildcards expanded to the machine's interface addresses, then the
    /// node's other doors (<see cref="SetOtherDoors"/>), each
    /// ending in <c>/p2p/&lt;peer id&gt;</c> if asked.
    /// </summary>
    public IReadOnlyList<Multiaddr> GetAdvertisedAddresses(bool withPeerId = false)
    {
        IReadOnlyList<Multiaddr> result = [.. AdvertisedAddresses(ListenAddresses, _options.AnnounceAddresses), .. Volatile.Read(ref _relayedAddresses), .. Volatile.Read(ref _otherDoors)];
        return withPeerId ? result.Select(a => a.WithPeerIdMultihash(PeerId.Bytes.Span)).ToArray() : result;
    }

    /// <summary>
    /// What <see cref="GetAdvertisedAddresses"/> derives from listen and announce addresses,
    /// usable before any host runs (<c>nnrp id</c>): <paramref name="announce"/> if not empty,
    /// else the IP listen addresses with wildcards expanded to this machine's interfaces.
    /// </summary>
    public static IReadOnlyList<Multiaddr> AdvertisedAddresses(IReadOnlyList<Multiaddr> listen, IReadOnlyList<Multiaddr> announce)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(announce);
        var result = new List<Multiaddr>(announce);
        foreach (Multiaddr address in result.Count > 0 ? [] : listen)
        {
            if (!address.TryGetIPEndPoint(out IPEndPoint? bound) || bound is null)
            {
                continue;
            }
            if (!bound.Address.Equals(IPAddress.Any) && !bound.Address.Equals(IPAddress.IPv6Any))
            {
                result.Add(address);
                continue;
            }
            // Whatever follows /tcp/port (/ws, /tls/ws) stays on each expanded address.
            Multiaddr? tail = address.Components.Count > 2 ? Multiaddr.FromComponents(address.Components.Skip(2)) : null;
            foreach (IPAddress ip in InterfaceAddresses(bound.AddressFamily))
            {
                Multiaddr expanded = Multiaddr.FromIPEndPoint(new IPEndPoint(ip, bound.Port));
                result.Add(tail is null ? expanded : expanded.Encapsulate(tail));
            }
        }
        return result;
    }

    /// <summary>
    /// Connects to <paramref name="address"/>. With a <c>/p2p</c> component the remote key is
    /// checked against it and an existing connection to that peer is reused.
    /// </summary>
    public async Task<Connection> DialAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ThrowIfStopped();
        PeerId? expected = address.PeerIdMultihash is { } mh ? PeerId.FromBytes(mh.Span) : null;
        if (expected is not null)
        {
            if (expected.Equals(PeerId))
            {
                throw new ArgumentException("a host cannot dial itself", nameof(address));
            }
            if (FindConnection(expected) is { } existing)
            {
                return existing;
            }
            return await CoalescedDial(expected, ct => DialNewAsync(address, expected, ct), cancellationToken);
        }
        return await DialNewAsync(address, null, cancellationToken);
    }

    /// <summary>Connects to a peer by id, reusing a connection or trying its known addresses in turn.</summary>
    public async Task<Connection> DialAsync(PeerId peer, CancellationToken cancellationToken)
    {
        ThrowIfStopped();
        if (FindConnection(peer) is { } existing)
        {
            return existing;
        }
        return await CoalescedDial(peer, async ct =>
        {
            IReadOnlyList<Multiaddr> addresses = PeerStore.GetAddresses(peer);
            if (addresses.Count == 0)
            {
                throw new PeerUnreachableException(peer, "no known addresses", []);
            }
            var errors = new List<Exception>();
            foreach (Multiaddr address in addresses)
            {
                if (!CanDial(address))
                {
                    continue;
                }
                try
                {
                    return await DialNewAsync(address, peer, ct);
                }
                catch (Exception ex) when (ex is IOException or TimeoutException or ProtocolViolationException or System.Security.Cryptography.CryptographicException)
                {
                    errors.Add(ex);
                }
            }
            throw new PeerUnreachableException(peer, $"{addresses.Count} addresses failed", errors);
        }, cancellationToken);
    }

    /// <summary>
    /// Opens a connection to <paramref name="address"/> outside the host's table, even while one
    /// to the peer exists (an AutoNAT v2 dial back must prove the address, not reuse a
    /// connection), checking the remote key against <paramref name="expected"/> if given. It
    /// raises no <see cref="ConnectionOpened"/>, is never returned by <see cref="FindConnection"/>
    /// and serves no inbound streams, so no protocol starts using it; the caller bounds how many
    /// it holds and closes it. With <paramref name="identity"/> the connection authenticates as
    /// that key instead of the host's, so the remote side cannot mistake it for a connection to
    /// this host either (the AutoNAT v2 server's dial back, NNRP.md §14.5).
    /// </summary>
    public async Task<Connection> DialNewConnectionAsync(Multiaddr address, PeerId? expected, CancellationToken cancellationToken, KeyPair? identity = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ThrowIfStopped();
        Multiaddr bare = address.WithoutPeerId();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        ITransport dialer = Array.Find(_transports, t => t.CanDial(bare))
            ?? throw new ArgumentException($"no transport dials {bare}", nameof(address));
        ConnectionUpgrader upgrader = identity is null || identity.PeerId.Equals(PeerId) ? _upgrader : new ConnectionUpgrader(identity, _options, _loggerFactory);
        ITransportConnection transport = await dialer.DialAsync(bare, linked.Token);
        return await upgrader.UpgradeAsync(transport, ConnectionDirection.Outbound, expected, linked.Token);
    }

    /// <summary>Whether one of the host's transports (TCP, WebSocket) dials <paramref name="address"/>.</summary>
    public bool CanDial(Multiaddr address) => Array.Exists(_transports, t => t.CanDial(address));

    /// <summary>Opens a stream to <paramref name="peer"/> (dialing if needed) and negotiates one of <paramref name="protocols"/>.</summary>
    public Task<Libp2pStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken) =>
        NewStreamOnAsync(ct => DialAsync(peer, ct), protocols, cancellationToken);

    public Task<Libp2pStream> NewStreamAsync(Multiaddr address, IReadOnlyList<string> protocols, CancellationToken cancellationToken) =>
        NewStreamOnAsync(ct => DialAsync(address, ct), protocols, cancellationToken);

    /// <summary>
    /// A stream on the connection <paramref name="connect"/> reuses or dials. A reused connection
    /// whose muxer session already ended (the peer restarted or vanished and the socket's end has
    /// not reached us yet) is closed and the peer dialled once more, so a caller does not fail on
    /// a corpse the host had not buried.
    /// </summary>
    private static async Task<Libp2pStream> NewStreamOnAsync(Func<CancellationToken, Task<Connection>> connect, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        Connection connection = await connect(cancellationToken);
        try
        {
            return await connection.NewStreamAsync(protocols, cancellationToken);
        }
        catch (YamuxSessionClosedException)
        {
            await connection.CloseAsync();
            Connection fresh = await connect(cancellationToken);
            if (ReferenceEquals(fresh, connection))
            {
                throw;
            }
            return await fresh.NewStreamAsync(protocols, cancellationToken);
        }
    }

    /// <summary>
    /// The oldest open direct connection to <paramref name="peer"/>, else the oldest relayed one:
    /// a second, short-lived one (a peer's AutoNAT dial back) is never picked over the connection
    /// protocols already use, and once DCUtR has a direct connection new streams take it, not the
    /// limited relayed one (NNRP.md §14.6).
    /// </summary>
    public Connection? FindConnection(PeerId peer)
    {
        Connection? best = null;
        foreach (Connection c in _connections.Keys)
        {
            if (!c.IsClosed && c.RemotePeer.Equals(peer)
                && (best is null || (c.IsLimited, c.OpenedAt).CompareTo((best.IsLimited, best.OpenedAt)) < 0))
            {
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// Dials <paramref name="peer"/> at the direct (not relayed) <paramref name="address"/> and adds
    /// the connection to the table even while a relayed one to the peer exists — the dial of a
    /// hole punch (DCUtR, NNRP.md §14.6). An open direct connection to the peer is returned instead.
    /// </summary>
    public async Task<Connection> DialDirectAsync(Multiaddr address, PeerId peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(peer);
        ThrowIfStopped();
        if (CircuitAddress.IsCircuit(address))
        {
            throw new ArgumentException($"not a direct address: {address}", nameof(address));
        }
        if (FindConnection(peer) is { IsLimited: false } direct)
        {
            return direct;
        }
        return await DialNewAsync(address.WithPeerIdMultihash(peer.Bytes.Span), peer, cancellationToken);
    }

    public IReadOnlyList<Connection> GetConnections(PeerId peer) =>
        _connections.Keys.Where(c => c.RemotePeer.Equals(peer)).ToArray();

    /// <summary>Closes every connection to <paramref name="peer"/> gracefully.</summary>
    public async Task DisconnectAsync(PeerId peer)
    {
        foreach (Connection c in GetConnections(peer))
        {
            await c.CloseAsync();
        }
    }

    /// <summary>
    /// Graceful shutdown: stop accepting, close every connection with GoAway, give handlers
    /// <see cref="ConnectionLimits.ShutdownTimeout"/> to finish, then abort what is left.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }
        BeginShutdown();
        ITransportListener[] listeners;
        lock (_listeners)
        {
            listeners = _listeners.ToArray();
            _listeners.Clear();
        }
        foreach (ITransportListener listener in listeners)
        {
            await listener.DisposeAsync();
        }
        Task closing = Task.WhenAll(_connections.Keys.Select(static c => c.CloseAsync().AsTask()));
        try
        {
            await closing.WaitAsync(_options.Limits.ShutdownTimeout);
        }
        catch (TimeoutException)
        {
        }
        await _stopping.CancelAsync();
        foreach (Connection c in _connections.Keys)
        {
            c.Abort();
        }
        try
        {
            await _background.WhenAll().WaitAsync(_options.Limits.ShutdownTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private async Task<Connection> CoalescedDial(PeerId peer, Func<CancellationToken, Task<Connection>> dial, CancellationToken cancellationToken)
    {
        // One dial per peer at a time; later callers share its outcome (go-libp2p's dial sync).
        var ours = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Connection> shared = _pendingDials.GetOrAdd(peer, ours.Task);
        if (shared != ours.Task)
        {
            return await shared.WaitAsync(cancellationToken);
        }
        try
        {
            Connection connection = await dial(cancellationToken);
            ours.SetResult(connection);
            return connection;
        }
        catch (Exception ex)
        {
            ours.SetException(ex);
            _ = ours.Task.Exception; // observed: the caller rethrows it below
            throw;
        }
        finally
        {
            _pendingDials.TryRemove(new KeyValuePair<PeerId, Task<Connection>>(peer, ours.Task));
        }
    }

    private async Task<Connection> DialNewAsync(Multiaddr address, PeerId? expected, CancellationToken cancellationToken)
    {
        if (!_gater.HasOutboundRoom && !MakeRoomForDial(evict: false))
        {
            throw TableFull();
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        if (expected is not null && address.Components.Count > 0 && address.Components[^1].Protocol == MultiaddrProtocol.P2pCircuit)
        {
            // A relayed address as identify carries it (…/p2p-circuit): the circuit transport needs the destination.
            address = address.WithPeerIdMultihash(expected.Bytes.Span);
        }
        ITransportConnection transport;
        try
        {
            ITransport dialer = Array.Find(_transports, t => t.CanDial(address))
                ?? throw new ArgumentException($"no transport dials {address}: expected /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>, optionally followed by /ws or /tls/ws", nameof(address));
            transport = await dialer.DialAsync(address, linked.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.DialFailed(address.ToString(), ex.Message);
            throw;
        }
        Connection connection = await _upgrader.UpgradeAsync(transport, ConnectionDirection.Outbound, expected, linked.Token);
        // Evict only now that the new connection exists (and off the caller's stack: whoever
        // dialed may hold a lock a ConnectionClosed subscriber needs).
        if (!_gater.HasOutboundRoom && !MakeRoomForDial(evict: true))
        {
            await connection.CloseAsync();
            throw TableFull();
        }
        Register(connection);
        return connection;
    }

    private async Task AcceptLoopAsync(ITransportListener listener)
    {
        try
        {
            while (await listener.AcceptAsync(_stopping.Token) is { } transport)
            {
                // NNRP.md §14.1: every limit that needs no handshake is checked here, so a
                // refused socket costs one accept and one reset.
                // A displaced handshake is aborted; its upgrade then fails and ends as usual.
                if (!_gater.TryBeginInbound(RemoteIp(transport.RemoteAddress), transport.Abort, out PendingHandshake? pending, out string? refusal))
                {
                    _logger.InboundRefused(transport.RemoteAddress.ToString(), refusal);
                    transport.Abort();
                    continue;
                }
                Track(UpgradeInboundAsync(transport, pending));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.AcceptLoopFailed(ex, listener.ListenAddress.ToString());
        }
    }

    /// <summary>
    /// Takes an inbound connection that arrived some other way than a listener — a relayed
    /// circuit (<see cref="RelayClient"/>) — through admission (the relayed bucket: the socket's
    /// address is the relay's, not the peer's) and the same upgrade as an accepted socket; <paramref name="expected"/> is who the relay said is calling. Null when refused or failed.
    /// </summary>
    public async Task<Connection?> AcceptRelayedAsync(ITransportConnection transport, PeerId? expected)
    {
        ArgumentNullException.ThrowIfNull(transport);
        string? refusal = "the host is not running";
        if (Volatile.Read(ref _state) != 1
            || !_gater.TryBeginRelayedInbound(transport.Abort, out PendingHandshake? pending, out refusal))
        {
            _logger.InboundRefused(transport.RemoteAddress.ToString(), refusal);
            transport.Abort();
            return null;
        }
        return await UpgradeInboundAsync(transport, pending, expected);
    }

    private async Task<Connection?> UpgradeInboundAsync(ITransportConnection transport, PendingHandshake pending, PeerId? expected = null)
    {
        Connection connection;
        try
        {
            connection = await _upgrader.UpgradeAsync(transport, ConnectionDirection.Inbound, expected, _stopping.Token);
        }
        catch (Exception ex)
        {
            _logger.InboundHandshakeFailed(transport.RemoteAddress.ToString(), ex.Message);
            return null;
        }
        finally
        {
            _gater.EndPending(pending);
        }

        if (!_gater.TryAddInbound(pending.Remote, connection.RemotePeer, out string? refusal))
        {
            _logger.InboundRefused(transport.RemoteAddress.ToString(), refusal);
            await connection.CloseAsync();
            return null;
        }
        Register(connection);
        return connection;
    }

    private void Register(Connection connection)
    {
        if (connection.Direction == ConnectionDirection.Outbound)
        {
            _gater.AddOutbound(connection.RemotePeer);
        }
        _connections[connection] = 0;
        PeerStore.Touch(connection.RemotePeer);
        if (connection.Direction == ConnectionDirection.Outbound)
        {
            PeerStore.AddAddresses(connection.RemotePeer, [connection.RemoteAddress]);
        }
        _logger.ConnectionEstablished(connection.Id, connection.Direction, connection.RemotePeer.ToString(), connection.RemoteAddress.ToString());
        Track(ServeConnectionAsync(connection));
        Raise(ConnectionOpened, connection);
        if (_gater.Established > _options.Limits.EffectiveHighWater)
        {
            Trim();
        }
    }

    /// <summary>Takes an established connection out of the table and the counts, once.</summary>
    private void Retire(Connection connection)
    {
        if (!_connections.TryRemove(connection, out _))
        {
            return;
        }
        bool relayed = CircuitAddress.IsCircuit(connection.RemoteAddress);
        IPAddress? remote = !relayed && connection.RemoteAddress.TryGetIPEndPoint(out IPEndPoint? ep) ? ep!.Address : null;
        _gater.Remove(remote, connection.RemotePeer, connection.Direction, relayed);
        _logger.ConnectionClosed(connection.Id, connection.RemotePeer.ToString());
        Raise(ConnectionClosed, connection);
    }

    private List<TrimCandidate<Connection>> TrimCandidates() =>
        _connections.Keys.Where(static c => !c.IsClosed)
            .Select(static c => new TrimCandidate<Connection>(c, c.RemotePeer, c.Direction, c.OpenedAt, c.StreamCount))
            .ToList();

    /// <summary>
    /// The table is full and we dial: the least valuable unprotected inbound connection makes
    /// way at once (NNRP.md §14.1: strangers never keep a node from reaching its peers).
    /// Without <paramref name="evict"/>, only says whether there is one.
    /// </summary>
    private bool MakeRoomForDial(bool evict)
    {
        if (!_trimmer.TrySelectForOutbound(TrimCandidates(), out Connection victim))
        {
            return false;
        }
        if (!evict)
        {
            return true;
        }
        _logger.ConnectionTrimmed(victim.Id, victim.RemotePeer.ToString(), "room for an outbound dial");
        victim.Abort();
        Retire(victim);
        return true;
    }

    /// <summary>Above the high watermark: closes the least valuable down to the low one, at most once per <see cref="ConnectionLimits.TrimInterval"/>.</summary>
    private void Trim()
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastTrimTicks);
        if ((last != 0 && now - last < (long)_options.Limits.TrimInterval.TotalMilliseconds)
            || Interlocked.CompareExchange(ref _lastTrimTicks, now, last) != last)
        {
            return;
        }
        IReadOnlyList<Connection> victims = _trimmer.SelectForTrim(TrimCandidates(), DateTimeOffset.UtcNow);
        foreach (Connection victim in victims)
        {
            _logger.ConnectionTrimmed(victim.Id, victim.RemotePeer.ToString(), "above the high watermark");
            Track(CloseAndRetireAsync(victim));
        }
    }

    private async Task CloseAndRetireAsync(Connection connection)
    {
        await connection.CloseAsync();
        Retire(connection);
    }

    /// <summary>Connections leave their grace period with time, not with events: look again every trim interval.</summary>
    private async Task TrimLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.Limits.TrimInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                if (_gater.Established > _options.Limits.EffectiveHighWater)
                {
                    Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Accepts inbound streams until the session ends, then retires the connection.</summary>
    private async Task ServeConnectionAsync(Connection connection)
    {
        try
        {
            while (await connection.Session.AcceptStreamAsync(_stopping.Token) is { } stream)
            {
                Track(ServeStreamAsync(connection, stream));
            }
            await connection.Session.Completion;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            _logger.ConnectionFailed(connection.Id, connection.RemotePeer.ToString(), ex.Message);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await connection.CloseAsync();
            Retire(connection);
        }
    }

    private async Task ServeStreamAsync(Connection connection, YamuxStream stream)
    {
        string protocol;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.Limits.StreamNegotiationTimeout);
            protocol = await Mss.AcceptAsync(stream, _handlers.ContainsKey, timeout.Token);
        }
        catch (Exception ex)
        {
            _logger.StreamNegotiationFailed(connection.Id, connection.RemotePeer.ToString(), ex.Message);
            stream.Reset();
            return;
        }
        if (!_handlers.TryGetValue(protocol, out StreamHandler? handler))
        {
            stream.Reset();
            return;
        }
        if (!_streams.TryAcquire(connection.RemotePeer, protocol))
        {
            _logger.StreamNegotiationFailed(connection.Id, connection.RemotePeer.ToString(), $"more than {_options.Limits.InboundStreamLimit(protocol)} inbound {protocol} streams");
            stream.Reset();
            return;
        }
        var libp2pStream = new Libp2pStream(stream, connection, protocol);
        try
        {
            await handler(libp2pStream, _stopping.Token);
            await libp2pStream.DisposeAsync();
        }
        catch (Exception ex)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _logger.HandlerFailed(ex, protocol, connection.RemotePeer.ToString());
            }
            libp2pStream.Reset();
        }
        finally
        {
            _streams.Release(connection.RemotePeer, protocol);
        }
    }

    private void Raise(EventHandler<ConnectionEventArgs>? handler, Connection connection)
    {
        if (handler is null)
        {
            return;
        }
        var args = new ConnectionEventArgs(connection);
        foreach (EventHandler<ConnectionEventArgs> subscriber in handler.GetInvocationList().Cast<EventHandler<ConnectionEventArgs>>())
        {
            try
            {
                subscriber(this, args);
            }
            catch (Exception ex)
            {
                _logger.SubscriberFailed(ex);
            }
        }
    }

    private void Track(Task task) => _background.Track(task);

    private ConnectionLimitException TableFull() =>
        new($"the host already has {_gater.Established} connections (limit {_options.Limits.MaxConnections}), none of them an unprotected inbound one");

    private static IPAddress RemoteIp(Multiaddr address) =>
        address.TryGetIPEndPoint(out IPEndPoint? ep) && ep is not null ? ep.Address : IPAddress.IPv6None;

    private void ThrowIfStopped() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == 2, this);

    private static bool IsIpv6Wildcard(Multiaddr address) =>
        address.TryGetIPEndPoint(out IPEndPoint? ep) && ep is not null && ep.Address.Equals(IPAddress.IPv6Any);

    private static IEnumerable<IPAddress> InterfaceAddresses(AddressFamily family)
    {
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            yield break;
        }
        foreach (NetworkInterface nic in interfaces)
        {
            if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            {
                continue;
            }
            foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
            {
                IPAddress ip = unicast.Address;
                if (ip.AddressFamily == family && !ip.IsIPv6LinkLocal)
                {
                    yield return ip;
                }
            }
        }
    }
}

/// <summary>No known address of the peer led to a connection.</summary>
public sealed class PeerUnreachableException(PeerId peer, string reason, IReadOnlyList<Exception> attempts)
    : IOException($"peer {peer} is unreachable: {reason}" + (attempts.Count > 0 ? " (" + string.Join("; ", attempts.Select(static e => e.Message)) + ")" : string.Empty))
{
    public PeerId Peer { get; } = peer;

    public IReadOnlyList<Exception> Attempts { get; } = attempts;
}

/// <summary>A dial would exceed <see cref="ConnectionLimits"/>.</summary>
public sealed class ConnectionLimitException(string message) : IOException(message);
