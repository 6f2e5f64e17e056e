namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>
/// Bounds on what provider records may occupy (NNRP.md §14.2 "Provider records"), so that
/// throwaway peer ids can neither exhaust the store nor lock honest providers out of a key.
/// </summary>
public sealed record ProviderQuotas
{
    /// <summary>§14.2: at most 100 providers per key (twice what a lookup asks for, and far more than a wallet dials).</summary>
    public const int DefaultMaxProvidersPerKey = 100;

    /// <summary>
    /// §14.2: at most 10 providers per key from one /24 (IPv4) or /48 (IPv6), by the address of
    /// the connection the ADD_PROVIDER came on: filling a key's 100 slots takes 10 networks, not
    /// 100 free peer ids. Loopback and private addresses (private networks only) are not grouped.
    /// </summary>
    public const int DefaultMaxProvidersPerKeyPerSubnet = 10;

    /// <summary>§14.2: a node provides (0, 0) or its shard at a few widths; 32 keys per provider peer is ample.</summary>
    public const int DefaultMaxKeysPerProvider = 32;

    /// <summary>§14.2: at most 20 000 provider records in all.</summary>
    public const int DefaultMaxRecords = 20_000;

    /// <summary>§14.2: and at most 16 MiB of them on disk (row key and value, as stored).</summary>
    public const long DefaultMaxBytes = 16L << 20;

    public int MaxProvidersPerKey { get; init; } = DefaultMaxProvidersPerKey;

    public int MaxProvidersPerKeyPerSubnet { get; init; } = DefaultMaxProvidersPerKeyPerSubnet;

    public int MaxKeysPerProvider { get; init; } = DefaultMaxKeysPerProvider;

    public int MaxRecords { get; init; } = DefaultMaxRecords;

    public long MaxBytes { get; init; } = DefaultMaxBytes;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProvidersPerKey, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProvidersPerKeyPerSubnet, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeysPerProvider, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 1);
    }
}
