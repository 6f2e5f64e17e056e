namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>A provider of a key and when the record stops counting.</summary>
public sealed record ProviderRecord(KadPeer Provider, DateTimeOffset ExpiresAt);

public enum ProviderAddResult
{
    /// <summary>A new provider of the key was recorded.</summary>
    Added,

    /// <summary>The peer already provided the key; its addresses and expiry were renewed.</summary>
    Renewed,

    /// <summary>The key already has the maximum number of providers; the record was refused.</summary>
    KeyFull,
}

/// <summary>
/// Provider records (kad-dht/README.md "Content routing"): which peers said they provide
/// which key, until when. One record per (key, provider) — a repeated ADD_PROVIDER renews
/// it — and at most a configured number of providers per key. Implementations:
/// <see cref="MemoryProviderStore"/> (tests, clients) and <see cref="RocksDbProviderStore"/> (nodes).
/// Keys are the wire keys (for CIDs: the multihash bytes, as js- and go-libp2p send them).
/// </summary>
public interface IProviderStore : IDisposable
{
    int MaxProvidersPerKey { get; }

    /// <summary>
    /// Records or renews <paramref name="provider"/> for <paramref name="key"/>. Records expired
    /// at <paramref name="now"/> do not count against <see cref="MaxProvidersPerKey"/>.
    /// </summary>
    ProviderAddResult Add(ReadOnlySpan<byte> key, KadPeer provider, DateTimeOffset expiresAt, DateTimeOffset now);

    /// <summary>Unexpired providers of the key, at most <paramref name="max"/>, latest-expiring first.</summary>
    IReadOnlyList<ProviderRecord> Get(ReadOnlySpan<byte> key, DateTimeOffset now, int max);

    /// <summary>Deletes every record expired at <paramref name="now"/>; returns how many.</summary>
    int RemoveExpired(DateTimeOffset now);
}
