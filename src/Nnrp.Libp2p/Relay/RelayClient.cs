using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay.Protobuf;

namespace Nnrp.Libp2p.Relay;

/// <summary>A slot held on a relay: until <see cref="Expires"/>, peers reach us at <see cref="Addresses"/>.</summary>
public sealed record RelayReservation(PeerId Relay, DateTimeOffset Expires, IReadOnlyList<Multiaddr> Addresses, CircuitLimit Limit, ReservationVoucher? Voucher);

/// <summary>
/// The reachable-through-a-relay side of circuit relay v2 (libp2p/specs relay/circuit-v2.md):
/// reserves slots on relays with hop RESERVE and refreshes them before they expire, advertises
/// <c>&lt;relay address&gt;/p2p/&lt;relay&gt;/p2p-circuit/p2p/&lt;self&gt;</c> through the host (so
/// identify and Kad carry them), and answers stop CONNECT from those relays by upgrading the
/// stop stream into a limited inbound connection.
/// </summary>
public sealed class RelayClient : IAsyncDisposable
{
    /// <summary>Protection tag that keeps the connection to a relay we reserved on from being trimmed.</summary>
    public const string RelayTag = "relay-client";

    /// <summary>Relays one node keeps reservations on (go-libp2p autorelay keeps 2 by default; more only costs slots).</summary>
    public const int MaxRelays = 8;

    /// <summary>A relay's stop CONNECT must arrive within this once its stream opened.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The relay must answer RESERVE within this.</summary>
    public static readonly TimeSpan ReserveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Retry after a failed reservation, doubling up to <see cref="MaxRetryDelay"/>.</summary>
    public static readonly TimeSpan MinRetryDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <summary>A reservation is refreshed once this share of its remaining life has passed.</summary>
    public const double RefreshAt = 0.75;

    /// <summary>
    /// NNRP.md §14.4: a grant that expires sooner than this is refused as malformed. circuit-v2
    /// sets no floor, but a relay granting seconds would have us refresh every second for as
    /// long as it liked (go and js relays grant 1 h and 2 h; ours at least 2 min).
    /// </summary>
    public static readonly TimeSpan MinReservationLife = TimeSpan.FromMinutes(1);

    private readonly Libp2pHost _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<PeerId, RelayReservation> _reservations = new();
    private readonly object _publishGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private int _started;

    public RelayClient(Libp2pHost host, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        _host = host;
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RelayClient>();
    }

    /// <summary>The reservations held now, by relay.</summary>
    public IReadOnlyDictionary<PeerId, RelayReservation> Reservations => _reservations;

    /// <summary>A reservation was granted, refreshed or lost.</summary>
    public event EventHandler? ReservationsChanged;

    /// <summary>Serves the stop protocol; without it no relay can reach us.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        _host.SetStreamHandler(RelayCodec.StopProtocolId, HandleStopAsync);
    }

    /// <summary>
    /// Keeps a reservation on each of <paramref name="relays"/> (each with <c>/p2p/&lt;relay&gt;</c>)
    /// in the background: reserve, refresh at <see cref="RefreshAt"/> of its life, reserve
    /// again at once when the connection to the relay drops, back off after failures.
    /// </summary>
    public void KeepReservations(IReadOnlyList<Multiaddr> relays)
    {
        ArgumentNullException.ThrowIfNull(relays);
        Start();
        lock (_loops)
        {
            foreach (Multiaddr relay in relays.Take(MaxRelays - _loops.Count))
            {
                _loops.Add(KeepAsync(relay, _stopping.Token));
            }
        }
    }

    /// <summary>One RESERVE on the relay at <paramref name="relay"/>; the reservation is recorded and advertised.</summary>
    /// <exception cref="RelayRefusedException">the relay refused.</exception>
    /// <exception cref="RelayProtocolException">the relay's answer or voucher is malformed or not ours.</exception>
    public async Task<RelayReservation> ReserveAsync(Multiaddr relay, CancellationToken cancellationToken)
    {
        Start();
        (RelayReservation reservation, _) = await ReserveOnAsync(ct => _host.DialAsync(relay, ct), cancellationToken);
        return reservation;
    }

    /// <summary>
    /// Reserves on <paramref name="relay"/> (over our connection to it, else dialled at the
    /// addresses the peer store knows) and refreshes the reservation at <see cref="RefreshAt"/>
    /// of its life until a refresh fails (thrown), the connection to the relay closes (returns)
    /// or <paramref name="cancellationToken"/> fires; the reservation and its addresses are
    /// dropped before it ends. <see cref="AutoRelay"/> holds its relays this way.
    /// </summary>
    public async Task HoldAsync(PeerId relay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relay);
        Start();
        try
        {
            while (true)
            {
                (RelayReservation reservation, Connection connection) = await ReserveOnAsync(ct => _host.DialAsync(relay, ct), cancellationToken);
                if (!await RefreshDueAsync(reservation, connection, cancellationToken))
                {
                    _logger.RelayLost(relay.ToString());
                    return;
                }
            }
        }
        finally
        {
            Drop(relay);
        }
    }

    /// <summary>Waits until the reservation is due for a refresh (true) or the connection to the relay closed (false).</summary>
    private async Task<bool> RefreshDueAsync(RelayReservation reservation, Connection connection, CancellationToken cancellationToken)
    {
        TimeSpan refresh = (reservation.Expires - _time.GetUtcNow()) * RefreshAt;
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task wait = Task.Delay(refresh < MinRetryDelay ? MinRetryDelay : refresh, _time, delay.Token);
        Task first = await Task.WhenAny(wait, connection.Closed);
        await delay.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        // circuit-v2.md: the reservation is valid only while the connection lasts.
        return first == wait;
    }

    private async Task<(RelayReservation, Connection)> ReserveOnAsync(Func<CancellationToken, Task<Connection>> connect, CancellationToken cancellationToken)
    {
        Connection connection = await connect(cancellationToken);
        if (connection.IsLimited)
        {
            throw new RelayProtocolException("a reservation is not made over a relayed connection");
        }
        PeerId relayPeer = connection.RemotePeer;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReserveTimeout);
        await using Libp2pStream stream = await connection.NewStreamAsync([RelayCodec.HopProtocolId], timeout.Token);
        await RelayCodec.WriteAsync(stream.Output, new HopMessage { Type = HopMessage.Types.Type.Reserve }, timeout.Token);
        HopMessage? answer = await RelayCodec.ReadHopAsync(stream.Input, timeout.Token);
        if (answer is null || answer.Type != HopMessage.Types.Type.Status)
        {
            throw new RelayProtocolException("the relay answered RESERVE without a status");
        }
        if (answer.Status != Status.Ok)
        {
            throw new RelayRefusedException(answer.Status, "reservation");
        }
        if (answer.Reservation is not { HasExpire: true } granted)
        {
            throw new RelayProtocolException("the relay said OK without a reservation");
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(granted.Expire, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (expires - _time.GetUtcNow() < MinReservationLife)
        {
            throw new RelayProtocolException($"the relay granted a reservation that expires at {expires:O}, sooner than {MinReservationLife.TotalSeconds:0} s from now");
        }
        ReservationVoucher? voucher = null;
        if (granted.HasVoucher)
        {
            voucher = ReservationVoucher.Open(granted.Voucher.Span);
            if (!voucher.Relay.Equals(relayPeer) || !voucher.Peer.Equals(_host.PeerId))
            {
                throw new RelayProtocolException("the voucher names another relay or another peer");
            }
        }
        var reservation = new RelayReservation(relayPeer, expires, OwnCircuitAddresses(granted, connection), RelayCodec.FromLimit(answer.Limit), voucher);
        _host.Protect(relayPeer, RelayTag);
        PublishAddresses(relayPeer, reservation);
        _logger.Reserved(relayPeer.ToString(), expires);
        return (reservation, connection);
    }

    /// <summary>
    /// Our addresses through the relay: each relay address it sent that names it, else the one
    /// we reached it on, followed by <c>/p2p-circuit/p2p/&lt;self&gt;</c>.
    /// </summary>
    private List<Multiaddr> OwnCircuitAddresses(Reservation granted, Connection connection)
    {
        PeerId relay = connection.RemotePeer;
        var result = new List<Multiaddr>();
        foreach (ByteString bytes in granted.Addrs.Take(RelayCodec.MaxAddresses))
        {
            if (Multiaddr.TryFromBytes(bytes.Span, out Multiaddr? address) && !CircuitAddress.IsCircuit(address)
                && (address.PeerIdMultihash is null || address.PeerIdMultihash.Value.Span.SequenceEqual(relay.Bytes.Span)))
            {
                result.Add(CircuitAddress.For(address.WithPeerIdMultihash(relay.Bytes.Span), _host.PeerId));
            }
        }
        if (result.Count == 0)
        {
            result.Add(CircuitAddress.For(connection.RemoteAddress.WithPeerIdMultihash(relay.Bytes.Span), _host.PeerId));
        }
        return result.Distinct().ToList();
    }

    /// <summary>
    /// Adds (<paramref name="reservation"/> set) or drops the reservation on <paramref name="relay"/>.
    /// The advertised addresses change before <see cref="Reservations"/> does, under one lock, so
    /// whoever sees a reservation also sees its circuit addresses, and concurrent renewals on two
    /// relays cannot publish a set missing one of them.
    /// </summary>
    private bool PublishAddresses(PeerId relay, RelayReservation? reservation)
    {
        lock (_publishGate)
        {
            if (reservation is null && !_reservations.ContainsKey(relay))
            {
                return false;
            }
            _host.SetRelayedAddresses(_reservations
                .Where(r => !r.Key.Equals(relay))
                .SelectMany(static r => r.Value.Addresses)
                .Concat(reservation?.Addresses ?? [])
                .ToArray());
            if (reservation is null)
            {
                _reservations.TryRemove(relay, out _);
            }
            else
            {
                _reservations[relay] = reservation;
            }
        }
        ReservationsChanged?.Invoke(this, EventArgs.Empty);
        return true;
    }

    private void Drop(PeerId relay)
    {
        if (PublishAddresses(relay, reservation: null))
        {
            _host.Unprotect(relay, RelayTag);
        }
    }

    private async Task KeepAsync(Multiaddr relay, CancellationToken cancellationToken)
    {
        int failures = 0;
        PeerId? named = relay.PeerIdMultihash is { } mh && PeerId.TryFromBytes(mh.Span, out PeerId? id) ? id : null;
        while (!cancellationToken.IsCancellationRequested)
        {
            PeerId? relayPeer = named;
            try
            {
                (RelayReservation reservation, Connection connection) = await ReserveOnAsync(ct => _host.DialAsync(relay, ct), cancellationToken);
                relayPeer = reservation.Relay;
                failures = 0;
                if (!await RefreshDueAsync(reservation, connection, cancellationToken))
                {
                    _logger.RelayLost(relayPeer.ToString());
                    Drop(relayPeer);
                    await Task.Delay(MinRetryDelay, _time, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.ReserveFailed(relay.ToString(), ex.Message);
                // A failed refresh leaves the slot usable until it expires.
                if (relayPeer is not null && _reservations.TryGetValue(relayPeer, out RelayReservation? held) && held.Expires <= _time.GetUtcNow())
                {
                    Drop(relayPeer);
                }
                TimeSpan retry = CappedBackoff.Delay(MinRetryDelay, MaxRetryDelay, failures++);
                await Task.Delay(retry, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task HandleStopAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StopTimeout);
        StopMessage? request = await RelayCodec.ReadRequestAsync(
            stream, RelayCodec.ReadStopAsync, RelayCodec.StopStatus(Status.MalformedMessage), _logger, timeout.Token);
        if (request is null)
        {
            return;
        }
        if (request.Type != StopMessage.Types.Type.Connect)
        {
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.StopStatus(Status.UnexpectedMessage), timeout.Token);
            return;
        }
        PeerId relay = stream.RemotePeer;
        // Only relays we asked to serve us may open circuits to us: nobody else can make this
        // node spend handshakes and connection slots on relayed strangers.
        if (!_reservations.ContainsKey(relay) || stream.Connection.IsLimited)
        {
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.StopStatus(Status.PermissionDenied), timeout.Token);
            return;
        }
        if (request.Peer is not { HasId: true } from || !PeerId.TryFromBytes(from.Id.Span, out PeerId? source))
        {
            await RelayCodec.WriteAsync(stream.Output, RelayCodec.StopStatus(Status.MalformedMessage), timeout.Token);
            return;
        }
        await RelayCodec.WriteAsync(stream.Output, RelayCodec.StopStatus(Status.Ok), timeout.Token);
        Multiaddr remote = new CircuitAddress(stream.Connection.RemoteAddress.WithPeerIdMultihash(relay.Bytes.Span), relay, null).ToRelayedAddress();
        var transport = new RelayedTransportConnection(stream, stream.Connection.LocalAddress, remote, RelayCodec.FromLimit(request.Limit));
        Connection? connection = await _host.AcceptRelayedAsync(transport, source);
        if (connection is null)
        {
            return;
        }
        _logger.CircuitAccepted(source.ToString(), relay.ToString());
        // The host ends the stop stream when this handler returns: hold it as long as the connection lives.
        await connection.Closed.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] loops;
        lock (_loops)
        {
            loops = _loops.ToArray();
        }
        await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
