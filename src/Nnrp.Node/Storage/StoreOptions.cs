namespace Nnrp.Node.Storage;

/// <summary>Limits of the store, RocksDB or in memory (issue 6 item 1).</summary>
public sealed record StoreOptions
{
    /// <summary>Notifications one tag may hold; beyond it the lowest work multiplier goes first (oldest among equals).</summary>
    public int PerTagCap { get; init; } = 1000;

    /// <summary>Sum of encoded notification sizes; beyond it the least work per byte goes first (NNRP.md §6.4). 10 GiB.</summary>
    public long MaxBytes { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// Index entries one page may examine before it returns early with a cursor, so a sparse
    /// prefix fetch cannot hold a query thread for long.
    /// </summary>
    public int MaxScanPerPage { get; init; } = 20_000;

    /// <summary>
    /// Sync the WAL before <see cref="INotificationStore.Put"/> returns. Only benchmarks of the
    /// non-durable path turn this off; an acknowledged notification must survive kill -9.
    /// </summary>
    public bool SyncWrites { get; init; } = true;
}
