namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>A provider of a key and when the record stops counting.</summary>
public sealed record ProviderRecord(KadPeer Provider, DateTimeOffset ExpiresAt);

public enum ProviderAddResult
{
    /// <summary>A new provider of the key was recorded (possibly in place of an evicted unverified one).</summary>
    Added,

    /// <summary>The peer already provided the key; its addresses and expiry were renewed.</summary>
    Renewed,

    /// <summary>The key has its maximum of providers and every one of them is verified; the record was refused.</summary>
    KeyFull,

    /// <summary>The key has its maximum of providers from the sender's network, all verified; the record was refused.</summary>
    SubnetFull,

    /// <summary>The provider already provides its maximum number of keys; the record was refused.</summary>
    PeerQuotaFull,

    /// <summary>The store is at its record or byte budget and nothing unverified can go; the record was refused.</summary>
    StoreFull,
}

/// <summary>
/// How a record arrived, for the store's admission rules: the sender's network (null: not
/// grouped — our own records, loopback and private addresses) and which providers are verified.
/// </summary>
/// <param name="Subnet">The /24 or /48 of the connection the record came on (<see cref="KadAddresses.SubnetOf"/>).</param>
/// <param name="IsVerified">Providers (by peer-id bytes) that must not be evicted; null: none.</param>
public readonly record struct ProviderAdmission(ulong? Subnet, ProviderVerified? IsVerified);

/// <summary>True if the provider with these peer-id bytes is verified (<see cref="IProviderRecordPolicy.IsVerified"/>).</summary>
public delegate bool ProviderVerified(ReadOnlySpan<byte> providerId);

/// <summary>
/// Provider records (kad-dht/README.md "Content routing"): which peers said they provide
/// which key, until when. One record per (key, provider) — a repeated ADD_PROVIDER renews
/// it — within the bounds of <see cref="ProviderQuotas"/> (NNRP.md §14.2). Implementations:
/// <see cref="MemoryProviderStore"/> (tests, clients) and <c>RocksDbProviderStore</c> (nodes, in Nnrp.Node),
/// both deciding through one <see cref="ProviderLedger"/>.
/// Keys are the wire keys (for CIDs: the multihash bytes, as js- and go-libp2p send them).
/// </summary>
public interface IProviderStore : IDisposable
{
    ProviderQuotas Quotas { get; }

    int MaxProvidersPerKey => Quotas.MaxProvidersPerKey;

    /// <summary>Live records held (expired ones count until swept or displaced).</summary>
    int Count { get; }

    /// <summary>Bytes the held records occupy as stored.</summary>
    long Bytes { get; }

    /// <summary>
    /// Records or renews <paramref name="provider"/> for <paramref name="key"/>. Records expired
    /// at <paramref name="now"/> do not count against the per-key limit. A full key (or network,
    /// or store) makes room by evicting the unverified record stored longest ago; with none,
    /// the newcomer is refused.
    /// </summary>
    ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now, ProviderAdmission admission);

    /// <summary>As <see cref="Add(ReadOnlySpan{byte}, KadPeer, DateTimeOffset, DateTimeOffset, ProviderAdmission)"/> with no network and nobody verified.</summary>
    ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now) =>
        Add(key, provider, expiresAt, now, default);

    /// <summary>Unexpired providers of the key, at most <paramref name="max"/>, latest-expiring first.</summary>
    IReadOnlyList<ProviderRecord> Get(ReadOnlySpan<byte> key, DateTimeOffset now, int max);

    /// <summary>Deletes every record expired at <paramref name="now"/>; returns how many.</summary>
    int RemoveExpired(DateTimeOffset now);
}
