using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay.Protobuf;

namespace Nnrp.Libp2p.Relay;

/// <summary>A relayed connection through this relay ended.</summary>
public sealed class CircuitEndedEventArgs(PeerId source, PeerId destination, CircuitEnd end) : EventArgs
{
    public PeerId Source { get; } = source;

    public PeerId Destination { get; } = destination;

    public CircuitEnd End { get; } = end;
}

/// <summary>
/// The relay: serves <c>/libp2p/circuit/relay/0.2.0/hop</c> (libp2p/specs relay/circuit-v2.md
/// "Hop Protocol"). RESERVE grants a slot with a signed voucher within
/// <see cref="RelayServiceOptions"/>; CONNECT opens a stop stream to a peer holding a slot and
/// joins the two streams under the circuit limits. Opt-in: only a publicly reachable node
/// should start it.
/// </summary>
public sealed class RelayService
{
    /// <summary>Protection tag that keeps a reserving peer's connection from being trimmed (spec: "tag it to prevent accidental termination").</summary>
    public const string ReservationTag = "relay-reservation";

    /// <summary>The protocol a relay serves (listed in identify while it does).</summary>
    public const string HopProtocolId = RelayCodec.HopProtocolId;

    private readonly Libp2pHost _host;
    private readonly RelayServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _started;

    public RelayService(Libp2pHost host, RelayServiceOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        _host = host;
        _options = options ?? new RelayServiceOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RelayService>();
        Reservations = new ReservationTable(_options);
        Circuits = new CircuitSlots(_options);
    }

    public RelayServiceOptions Options => _options;

    internal ReservationTable Reservations { get; }

    internal CircuitSlots Circuits { get; }

    /// <summary>Reservations held now (expired ones are pruned at the next RESERVE).</summary>
    public int ReservationCount => Reservations.Count;

    /// <summary>Relayed connections in flight.</summary>
    public int CircuitCount => Circuits.Count;

    public event EventHandler<CircuitEndedEventArgs>? CircuitEnded;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        _host.SetStreamHandler(RelayCodec.HopProtocolId, HandleHopAsync);
        _host.ConnectionClosed += OnConnectionClosed;
    }

    /// <summary>
    /// Stops serving hop (the node is no longer publicly dialable, NNRP.md §14.4): no new
    /// reservation or circuit, and the reservations are dropped (their holders find out at their
    /// next refresh and reserve elsewhere); circuits in flight run to their limits.
    /// </summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _started, 0) != 1)
        {
            return;
        }
        _host.RemoveStreamHandler(RelayCodec.HopProtocolId);
        _host.ConnectionClosed -= OnConnectionClosed;
        foreach (PeerId peer in Reservations.Clear())
        {
            _host.Unprotect(peer, ReservationTag);
        }
    }

    /// <summary>Whether hop is being served.</summary>
    public bool IsServing => Volatile.Read(ref _started) == 1;

    private void OnConnectionClosed(object? sender, ConnectionEventArgs e)
    {
        PeerId peer = e.Connection.RemotePeer;
        if (!e.Connection.IsLimited && _host.GetConnections(peer).All(static c => c.IsClosed || c.IsLimited) && Reservations.Remove(peer))
        {
            _host.Unprotect(peer, ReservationTag);
            _logger.ReservationDropped(peer.ToString());
        }
    }

    private async Task HandleHopAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HopTimeout);
        HopMessage? request = await RelayCodec.ReadRequestAsync(
            stream, RelayCodec.ReadHopAsync, RelayCodec.HopStatus(Status.MalformedMessage), _logger, timeout.Token);
        if (request is null)
        {
            return;
        }
        switch (request.Type)
        {
            case HopMessage.Types.Type.Reserve:
                await ReserveAsync(stream, timeout.Token);
                break;
            case HopMessage.Types.Type.Connect:
                await ConnectAsync(stream, request, timeout.Token, cancellationToken);
                break;
            default:
                await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.UnexpectedMessage), timeout.Token);
                break;
        }
    }

    private async Task ReserveAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        Connection connection = stream.Connection;
        PeerId peer = connection.RemotePeer;
        if (connection.IsLimited)
        {
            // circuit-v2.md: "Implementations should not accept reservations over already relayed connections."
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.PermissionDenied), cancellationToken);
            return;
        }
        IPAddress? ip = connection.RemoteAddress.TryGetIPEndPoint(out IPEndPoint? ep) ? ep.Address : null;
        Status status = Reservations.TryReserve(peer, ip, _time.GetUtcNow(), out DateTimeOffset expires);
        if (status != Status.Ok)
        {
            _logger.ReservationRefused(peer.ToString(), Reservations.Count);
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(status), cancellationToken);
            return;
        }
        _host.Protect(peer, ReservationTag);
        var voucher = new ReservationVoucher(_host.PeerId, peer, (ulong)expires.ToUnixTimeSeconds());
        var reservation = new Reservation
        {
            Expire = voucher.Expiration,
            Voucher = ByteString.CopyFrom(voucher.Seal(_host.Identity)),
        };
        reservation.Addrs.AddRange(RelayAddresses().Select(static a => ByteString.CopyFrom(a.Bytes.Span)));
        var answer = new HopMessage
        {
            Type = HopMessage.Types.Type.Status,
            Status = Status.Ok,
            Reservation = reservation,
            Limit = RelayCodec.ToLimit(_options),
        };
        await RelayCodec.WriteAsync(stream.Output, answer, cancellationToken);
        stream.CloseWrite();
        _logger.ReservationGranted(peer.ToString(), expires);
    }

    /// <summary>Our own direct addresses with <c>/p2p/&lt;relay&gt;</c>: no circuit addresses, no HTTP doors.</summary>
    private IEnumerable<Multiaddr> RelayAddresses() =>
        _host.GetAdvertisedAddresses(withPeerId: true)
            .Where(static a => a.Components.All(static c => c.Protocol is not (MultiaddrProtocol.P2pCircuit or MultiaddrProtocol.Http)))
            .Take(RelayCodec.MaxAddresses);

    private async Task ConnectAsync(Libp2pStream stream, HopMessage request, CancellationToken cancellationToken, CancellationToken shutdown)
    {
        Connection connection = stream.Connection;
        PeerId source = connection.RemotePeer;
        if (connection.IsLimited)
        {
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.PermissionDenied), cancellationToken);
            return;
        }
        if (request.Peer is not { HasId: true } target || !PeerId.TryFromBytes(target.Id.Span, out PeerId? destination))
        {
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.MalformedMessage), cancellationToken);
            return;
        }
        Connection? toDestination = Reservations.Has(destination, _time.GetUtcNow())
            ? (_host.FindConnection(destination) is { IsLimited: false } direct ? direct : null)
            : null;
        if (toDestination is null)
        {
            _logger.CircuitRefused(source.ToString(), destination.ToString(), nameof(Status.NoReservation));
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.NoReservation), cancellationToken);
            return;
        }
        if (!Circuits.TryAcquire(source, destination))
        {
            _logger.CircuitRefused(source.ToString(), destination.ToString(), nameof(Status.ResourceLimitExceeded));
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.ResourceLimitExceeded), cancellationToken);
            return;
        }
        try
        {
            Libp2pStream? stop = await StopAsync(toDestination, source, cancellationToken);
            if (stop is null)
            {
                await RelayCodec.WriteAsync(stream.Output, RelayCodec.HopStatus(Status.ConnectionFailed), cancellationToken);
                return;
            }
            await using (stop)
            {
                var ok = new HopMessage { Type = HopMessage.Types.Type.Status, Status = Status.Ok, Limit = RelayCodec.ToLimit(_options) };
                await RelayCodec.WriteAsync(stream.Output, ok, cancellationToken);
                // From here the hop timeout no longer applies: the circuit lives by its own limits.
                var limit = new CircuitLimit(_options.CircuitDuration, _options.CircuitDataLimit);
                CircuitEnd end = await CircuitPump.RunAsync(stream, stop, limit, shutdown);
                _logger.CircuitEnded(source.ToString(), destination.ToString(), end);
                CircuitEnded?.Invoke(this, new CircuitEndedEventArgs(source, destination, end));
            }
        }
        finally
        {
            Circuits.Release(source, destination);
        }
    }

    /// <summary>circuit-v2.md "Stop Protocol": CONNECT to the destination; its stream on OK, else null.</summary>
    private async Task<Libp2pStream?> StopAsync(Connection destination, PeerId source, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StopTimeout);
        Libp2pStream? stream = null;
        try
        {
            stream = await destination.NewStreamAsync([RelayCodec.StopProtocolId], timeout.Token);
            var connect = new StopMessage
            {
                Type = StopMessage.Types.Type.Connect,
                Peer = new Protobuf.Peer { Id = ByteString.CopyFrom(source.Bytes.Span) },
                Limit = RelayCodec.ToLimit(_options),
            };
            await RelayCodec.WriteAsync(stream.Output, connect, timeout.Token);
            StopMessage? answer = await RelayCodec.ReadStopAsync(stream.Input, timeout.Token);
            if (answer is { Type: StopMessage.Types.Type.Status, Status: Status.Ok })
            {
                return stream;
            }
            _logger.StopRefused(destination.RemotePeer.ToString(), answer?.Status.ToString() ?? "no answer");
        }
        catch (Exception ex) when (ex is IOException or ProtocolViolationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _logger.StopRefused(destination.RemotePeer.ToString(), ex.Message);
        }
        stream?.Reset();
        return null;
    }
}
