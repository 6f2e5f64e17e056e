namespace Nnrp.Libp2p.Kad.Crawl;

/// <summary>
/// Bounds of one crawl. A hostile DHT can answer every FIND_NODE with 64 invented peers, so
/// every dimension is capped: peers recorded (<see cref="MaxPeers"/>), dials at once
/// (<see cref="Concurrency"/>), time per peer (<see cref="PeerTimeout"/>) and in all
/// (<see cref="Deadline"/>). Memory is at most <see cref="MaxPeers"/> × 32 addresses.
/// </summary>
public sealed record KadCrawlOptions
{
    /// <summary>Upper bound of <see cref="MaxPeers"/> a caller may set.</summary>
    public const int MaxPeersLimit = 100_000;

    /// <summary>Upper bound of <see cref="Concurrency"/> a caller may set.</summary>
    public const int ConcurrencyLimit = 64;

    /// <summary>The Kad protocol id spoken (NNRP.md §14.2).</summary>
    public string ProtocolId { get; init; } = KadOptions.DefaultProtocolId;

    /// <summary>Peers visited at once (each: dial, identify, FIND_NODE requests, the caller's visit).</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Everything done with one peer (dials, identify, requests, the visit) ends by then.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>One dial attempt to one address (a peer with several addresses gets several, within <see cref="PeerTimeout"/>).</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole crawl ends by then; peers not visited yet are counted, not reported.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Distinct peers recorded (visited or waiting); further peers named by the DHT are dropped.</summary>
    public int MaxPeers { get; init; } = 5_000;

    /// <summary>
    /// Deepest bucket of a peer's table asked for (FIND_NODE for a random key sharing this many
    /// leading bits with the peer). 2^16 peers per table is beyond any NNRP network; finding
    /// the key costs about 2^(depth+1) hashes.
    /// </summary>
    public int MaxBucketDepth { get; init; } = 16;

    /// <summary>Keep loopback and private addresses (a testnet); off, they are neither stored nor dialed.</summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a bound outside its range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Concurrency, ConcurrencyLimit, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPeers, 1, nameof(MaxPeers));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxPeers, MaxPeersLimit, nameof(MaxPeers));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PeerTimeout, TimeSpan.Zero, nameof(PeerTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DialTimeout, TimeSpan.Zero, nameof(DialTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Deadline, TimeSpan.Zero, nameof(Deadline));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBucketDepth, nameof(MaxBucketDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBucketDepth, RoutingTable.KadRoutingTable.MaxSearchablePrefixLength, nameof(MaxBucketDepth));
    }
}
