namespace Nnrp.Libp2p.Relay;

/// <summary>
/// Limits of the relay service (the hop side, libp2p/specs relay/circuit-v2.md "Reservation"
/// and "Connection Initiation"). Defaults follow go-libp2p <c>relay/resources.go</c>
/// (<c>DefaultResources</c>) and js-libp2p <c>@libp2p/circuit-relay-v2</c> constants: every
/// slot a hostile peer could take is bounded in number, time and bytes.
/// </summary>
public sealed record RelayServiceOptions
{
    /// <summary>Reservations held at once (go <c>MaxReservations</c> 128).</summary>
    public const int DefaultMaxReservations = 128;

    /// <summary>Reservations from one IP address (go <c>MaxReservationsPerIP</c> 8): many peer ids from one host cannot fill the table.</summary>
    public const int DefaultMaxReservationsPerIp = 8;

    /// <summary>How long a reservation lasts unless refreshed (go <c>ReservationTTL</c> 1 h).</summary>
    public static readonly TimeSpan DefaultReservationTtl = TimeSpan.FromHours(1);

    /// <summary>The shortest reservation this relay grants: twice <see cref="RelayClient.MinReservationLife"/>.</summary>
    public static readonly TimeSpan MinReservationTtl = RelayClient.MinReservationLife * 2;

    /// <summary>Relayed connections to or from one peer at once (go <c>MaxCircuits</c> 16).</summary>
    public const int DefaultMaxCircuitsPerPeer = 16;

    /// <summary>Relayed connections through this relay at once (js bounds its stop streams at 300; we keep fewer).</summary>
    public const int DefaultMaxCircuits = 64;

    /// <summary>Longest life of one relayed connection (spec "Limit.duration"; go and js: 2 min).</summary>
    public static readonly TimeSpan DefaultCircuitDuration = TimeSpan.FromMinutes(2);

    /// <summary>Bytes relayed in each direction of one relayed connection (spec "Limit.data"; go and js: 128 KiB).</summary>
    public const long DefaultCircuitDataLimit = 128 * 1024;

    /// <summary>A hop request must arrive and be answered within this (js <c>DEFAULT_HOP_TIMEOUT</c> 30 s).</summary>
    public static readonly TimeSpan DefaultHopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The destination must answer the stop CONNECT within this (go <c>ConnectTimeout</c> 30 s; we wait less).</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    public int MaxReservations { get; init; } = DefaultMaxReservations;

    public int MaxReservationsPerIp { get; init; } = DefaultMaxReservationsPerIp;

    public TimeSpan ReservationTtl { get; init; } = DefaultReservationTtl;

    public int MaxCircuitsPerPeer { get; init; } = DefaultMaxCircuitsPerPeer;

    public int MaxCircuits { get; init; } = DefaultMaxCircuits;

    /// <summary>Duration limit of every relayed connection; sent in <c>Limit.duration</c> (whole seconds).</summary>
    public TimeSpan CircuitDuration { get; init; } = DefaultCircuitDuration;

    /// <summary>Data limit per direction of every relayed connection; sent in <c>Limit.data</c>.</summary>
    public long CircuitDataLimit { get; init; } = DefaultCircuitDataLimit;

    public TimeSpan HopTimeout { get; init; } = DefaultHopTimeout;

    public TimeSpan StopTimeout { get; init; } = DefaultStopTimeout;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a limit that would leave the relay unbounded.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReservations, 1, nameof(MaxReservations));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReservationsPerIp, 1, nameof(MaxReservationsPerIp));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCircuitsPerPeer, 1, nameof(MaxCircuitsPerPeer));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCircuits, 1, nameof(MaxCircuits));
        ArgumentOutOfRangeException.ThrowIfLessThan(CircuitDataLimit, 1, nameof(CircuitDataLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(CircuitDuration, TimeSpan.FromSeconds(1), nameof(CircuitDuration));
        // Clients refuse grants shorter than RelayClient.MinReservationLife; the expiry is rounded
        // down to a whole second, so a TTL at that floor would be refused.
        ArgumentOutOfRangeException.ThrowIfLessThan(ReservationTtl, MinReservationTtl, nameof(ReservationTtl));
    }
}
