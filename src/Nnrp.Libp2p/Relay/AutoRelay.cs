using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Relay;

/// <summary>Settings of <see cref="AutoRelay"/>.</summary>
public sealed record AutoRelayOptions
{
    /// <summary>Relays held at once while active (go-libp2p autorelay's default: 2).</summary>
    public int Relays { get; init; } = 2;

    /// <summary>How often candidates are looked for again while fewer than <see cref="Relays"/> are held.</summary>
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A relay that refused or failed is not asked again for this long, doubling per failure in a row.</summary>
    public TimeSpan FailureBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest a failed relay is left alone.</summary>
    public TimeSpan MaxFailureBackoff { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A relay whose connection dropped is not asked again for this long (another takes its place at once).</summary>
    public TimeSpan LostBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A relay held for less than this is treated as one that failed, not one that was lost:
    /// a relay that grants and drops at once would otherwise be asked again every
    /// <see cref="LostBackoff"/>, and a few of them would keep the node cycling forever.
    /// </summary>
    public TimeSpan ShortHold { get; init; } = TimeSpan.FromMinutes(2);

    internal void Validate()
    {
        if (Relays < 1 || Relays > RelayClient.MaxRelays || ScanInterval <= TimeSpan.Zero || FailureBackoff <= TimeSpan.Zero
            || MaxFailureBackoff < FailureBackoff || LostBackoff < TimeSpan.Zero || ShortHold < TimeSpan.Zero)
        {
            throw new ArgumentException($"auto relay needs 1…{RelayClient.MaxRelays} relays and positive intervals (failure backoff ≤ its maximum)");
        }
    }
}

/// <summary>
/// NNRP.md §14.4 "Choosing relays" (go-libp2p autorelay, js-libp2p's circuit relay transport
/// with <c>discoverRelays</c>): while <see cref="Active"/> (the node is not publicly dialable),
/// holds reservations on up to <see cref="AutoRelayOptions.Relays"/> peers that identify as
/// serving <c>/libp2p/circuit/relay/0.2.0/hop</c>, connected ones first; a relay that refuses
/// or drops is replaced by another and left alone for a while. Inactive, it releases them all.
/// </summary>
public sealed class AutoRelay : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly RelayClient _client;
    private readonly IdentifyService? _identify;
    private readonly AutoRelayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Under _gate.
    private readonly Lock _gate = new();
    private readonly Dictionary<PeerId, (CancellationTokenSource Stop, Task Holder)> _held = [];
    private readonly Dictionary<PeerId, (DateTimeOffset Until, int Failures)> _backoff = [];
    private bool _active;
    private Task _loop = Task.CompletedTask;

    public AutoRelay(Libp2pHost host, RelayClient client, IdentifyService? identify, AutoRelayOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(client);
        _host = host;
        _client = client;
        _identify = identify;
        _options = options ?? new AutoRelayOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AutoRelay>();
    }

    /// <summary>Whether reservations are sought (the node is not publicly dialable).</summary>
    public bool Active
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>The relays a reservation is being held on (or sought from) now.</summary>
    public IReadOnlyCollection<PeerId> Relays
    {
        get
        {
            lock (_gate)
            {
                return [.. _held.Keys];
            }
        }
    }

    /// <summary>Starts looking (when active) on every newly identified peer and every <see cref="AutoRelayOptions.ScanInterval"/>.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (!_loop.IsCompleted || _stopping.IsCancellationRequested)
            {
                return;
            }
            if (_identify is not null)
            {
                _identify.PeerIdentified += OnPeerIdentified;
            }
            _loop = LoopAsync(_stopping.Token);
        }
    }

    /// <summary>Turns relay seeking on (reachability Private, or no direct address) or off (Public: every reservation is released).</summary>
    public void SetActive(bool active)
    {
        CancellationTokenSource[] stops = [];
        lock (_gate)
        {
            if (_active == active)
            {
                return;
            }
            _active = active;
            if (!active)
            {
                stops = [.. _held.Values.Select(static h => h.Stop)];
                _held.Clear();
            }
        }
        // Outside the lock: cancelling runs the holders' continuations, which drop addresses
        // (raising the host's AddressesChanged) and take the lock themselves.
        foreach (CancellationTokenSource stop in stops)
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That holder had already ended on its own.
            }
        }
        _logger.AutoRelayActive(active);
        Poke();
    }

    private void OnPeerIdentified(object? sender, PeerIdentifiedEventArgs e)
    {
        if (e.Result.Protocols.Contains(RelayCodec.HopProtocolId))
        {
            Poke();
        }
    }

    private void Poke() => _doorbell.Writer.TryWrite(true);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Fill();
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task timer = Task.Delay(_options.ScanInterval, _time, tick.Token);
                Task bell = _doorbell.Reader.WaitToReadAsync(tick.Token).AsTask();
                await Task.WhenAny(timer, bell);
                await tick.CancelAsync();
                _doorbell.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts a holder on the best candidates until <see cref="AutoRelayOptions.Relays"/> are held.</summary>
    private void Fill()
    {
        lock (_gate)
        {
            if (!_active || _held.Count >= _options.Relays)
            {
                return;
            }
            DateTimeOffset now = _time.GetUtcNow();
            // A relay left alone for longer than the longest backoff starts again from the first.
            foreach (PeerId stale in _backoff.Where(b => now - b.Value.Until > _options.MaxFailureBackoff).Select(static b => b.Key).ToList())
            {
                _backoff.Remove(stale);
            }
            foreach (PeerId relay in Candidates(now).Take(_options.Relays - _held.Count))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                _held[relay] = (stop, HoldAsync(relay, stop));
            }
        }
    }

    /// <summary>
    /// Under _gate: peers that said they serve hop, neither held (by us, or by the client for a
    /// configured relay) nor backed off; connected (directly) first, in random order.
    /// </summary>
    private IEnumerable<PeerId> Candidates(DateTimeOffset now) =>
        _host.PeerStore.Peers
            .Where(p => !p.Equals(_host.PeerId) && !_held.ContainsKey(p) && !_client.Reservations.ContainsKey(p)
                && !(_backoff.TryGetValue(p, out var b) && b.Until > now)
                && _host.PeerStore.GetProtocols(p).Contains(RelayCodec.HopProtocolId))
            .Select(p => (Peer: p, Connected: _host.FindConnection(p) is { IsLimited: false }, Order: RandomNumberGenerator.GetInt32(int.MaxValue)))
            .OrderByDescending(static c => c.Connected)
            .ThenBy(static c => c.Order)
            .Select(static c => c.Peer)
            .ToList();

    private async Task HoldAsync(PeerId relay, CancellationTokenSource stop)
    {
        await Task.Yield(); // not under the caller's lock
        DateTimeOffset started = _time.GetUtcNow();
        bool failed = false;
        try
        {
            await _client.HoldAsync(relay, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Refused, unreachable, malformed: any of them means "ask someone else".
            _logger.AutoRelayFailed(relay.ToString(), ex.Message);
            failed = true;
        }
        if (!failed && !stop.IsCancellationRequested && _time.GetUtcNow() - started < _options.ShortHold)
        {
            _logger.AutoRelayShortHold(relay.ToString());
            failed = true;
        }
        lock (_gate)
        {
            if (_held.TryGetValue(relay, out var entry) && ReferenceEquals(entry.Stop, stop))
            {
                _held.Remove(relay);
            }
            if (!stop.IsCancellationRequested)
            {
                int failures = failed ? (_backoff.TryGetValue(relay, out var b) ? b.Failures + 1 : 1) : 0;
                TimeSpan wait = failed ? FailureDelay(failures) : _options.LostBackoff;
                _backoff[relay] = (_time.GetUtcNow() + wait, failures);
            }
        }
        stop.Dispose();
        Poke();
    }

    private TimeSpan FailureDelay(int failures) =>
        CappedBackoff.Delay(_options.FailureBackoff, _options.MaxFailureBackoff, failures - 1);

    public async ValueTask DisposeAsync()
    {
        Task[] holders;
        lock (_gate)
        {
            if (_identify is not null)
            {
                _identify.PeerIdentified -= OnPeerIdentified;
            }
            _stopping.Cancel();
            holders = [_loop, .. _held.Values.Select(static h => h.Holder)];
            _held.Clear();
        }
        await Task.WhenAll(holders).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
