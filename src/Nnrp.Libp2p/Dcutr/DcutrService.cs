using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Dcutr;

/// <summary>
/// DCUtR, <c>/libp2p/dcutr</c> (libp2p/specs relay/DCUtR.md; NNRP.md §14.6): turns a relayed
/// (limited) connection into a direct one. The side that received the relayed connection (the
/// spec's B) tries a unilateral dial to the other's public addresses, then runs up to
/// <see cref="DcutrOptions.MaxAttempts"/> CONNECT/SYNC rounds on one stream, dialing after half
/// the measured round trip; the other side (A) answers and dials as SYNC arrives. Once a direct
/// connection exists the host prefers it for new streams and the relayed one is closed after
/// <see cref="DcutrOptions.RelayedConnectionGrace"/>.
/// </summary>
public sealed partial class DcutrService : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly IdentifyService? _identify;
    private readonly DcutrOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PunchSlots _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly BackgroundTasks _background = new();
    private int _started;

    /// <summary>
    /// A service for <paramref name="host"/>; with <paramref name="identify"/> (the host's identify
    /// service) the initiator waits for it to learn whether the peer speaks DCUtR and which public
    /// addresses it has (the unilateral upgrade); without it every relayed connection gets the
    /// CONNECT/SYNC exchange.
    /// </summary>
    public DcutrService(Libp2pHost host, DcutrOptions? options = null, IdentifyService? identify = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _options = options ?? new DcutrOptions();
        if (_options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
        _host = host;
        _identify = identify;
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DcutrService>();
        _slots = new PunchSlots(_options.MaxConcurrentHolePunches);
    }

    /// <summary>A hole punch ended, either side, succeeded or not.</summary>
    public event EventHandler<HolePunchEventArgs>? HolePunchFinished;

    /// <summary>Hole punches in progress now.</summary>
    public int InProgress => _slots.Count;

    /// <summary>Serves <c>/libp2p/dcutr</c> and starts upgrading every inbound relayed connection.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        _host.SetStreamHandler(DcutrCodec.ProtocolId, RespondAsync);
        _host.ConnectionOpened += OnConnectionOpened;
    }

    private void OnConnectionOpened(object? sender, ConnectionEventArgs e)
    {
        // DCUtR.md: "the inbound peer (here B)" starts the upgrade of a relayed connection.
        if (e.Connection is { IsLimited: true, Direction: ConnectionDirection.Inbound } && !_stopping.IsCancellationRequested)
        {
            Track(InitiateAsync(e.Connection));
        }
    }

    /// <summary>Our CONNECT's addresses: listen/announce addresses first, then the ones peers observed us at.</summary>
    private IReadOnlyList<Multiaddr> OwnAddresses() => HolePunchAddresses.ToSend(
        _host.GetAdvertisedAddresses(), _identify?.ObservedAddresses ?? [], _options.AllowPrivateAddresses, _host.CanDial);

    private IReadOnlyList<Multiaddr> Dialable(IEnumerable<Multiaddr> offered, PeerId peer) =>
        HolePunchAddresses.ToDial(offered, peer, _options.AllowPrivateAddresses, _host.CanDial);

    private Task<Connection?> DialAsync(PeerId peer, IReadOnlyList<Multiaddr> addresses, CancellationToken cancellationToken) =>
        DirectDial.RaceAsync(_host, peer, addresses, _options.DialTimeout, cancellationToken);

    /// <summary>Records the end of a punch; on success the relayed connections to the peer close after the grace period.</summary>
    private void Finish(HolePunchOutcome outcome, string how)
    {
        if (outcome.Direct is null && DirectDial.FindDirect(_host, outcome.Peer) is { } late)
        {
            // The peer's dial won while our side was failing (it closed the relayed connection
            // under our stream once it had the direct one): the punch worked all the same.
            outcome = outcome with { Direct = late, Reason = null };
            how = "the peer's dial";
        }
        if (outcome.Direct is { } direct)
        {
            _logger.Upgraded(outcome.Peer.ToString(), how, outcome.Attempts);
            Track(CloseRelayedLaterAsync(outcome.Peer, direct));
        }
        else
        {
            _logger.HolePunchFailed(outcome.Peer.ToString(), outcome.Reason ?? "no direct connection");
        }
        try
        {
            HolePunchFinished?.Invoke(this, new HolePunchEventArgs(outcome));
        }
        catch (Exception ex)
        {
            _logger.HolePunchFailed(outcome.Peer.ToString(), "an outcome subscriber threw: " + ex.Message);
        }
    }

    private async Task CloseRelayedLaterAsync(PeerId peer, Connection direct)
    {
        // §14.6 "After": the grace lets streams running on the relayed connection finish; one
        // still open after it (a slow request, under load) is waited for, a grace at a time —
        // closing under it would fail a request the upgrade was meant to help. The relay's own
        // duration limit ends the circuit regardless, so the wait is bounded.
        while (true)
        {
            try
            {
                await Task.Delay(_options.RelayedConnectionGrace, _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Still direct? Otherwise the relayed connection is all we have: it stays.
            if (direct.IsClosed)
            {
                if (DirectDial.FindDirect(_host, peer) is not { } other)
                {
                    return;
                }
                direct = other;
            }
            bool busy = false;
            foreach (Connection relayed in _host.GetConnections(peer).Where(static c => c.IsLimited && !c.IsClosed))
            {
                if (relayed.StreamCount > 0)
                {
                    busy = true;
                    continue;
                }
                await relayed.CloseAsync();
                _logger.RelayedClosed(relayed.Id, peer.ToString());
            }
            if (!busy)
            {
                return;
            }
        }
    }

    private void Track(Task task) => _background.Track(task);

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _host.ConnectionOpened -= OnConnectionOpened;
        await _stopping.CancelAsync();
        await _background.WhenAll().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
