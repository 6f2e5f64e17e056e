namespace Nnrp.Node.Sync;

/// <summary>Counters of the sync service since start (issue 8 item 2: items pulled, rounds, bytes).</summary>
public sealed class SyncMetrics
{
    private long _sessions;
    private long _sessionsFailed;
    private long _rounds;
    private long _bytesSent;
    private long _bytesReceived;
    private long _pulled;
    private long _pullRefused;
    private long _offered;
    private long _served;
    private long _scanned;
    private long _maxScanned;

    public long Sessions => Interlocked.Read(ref _sessions);

    /// <summary>Sessions that ended on a peer's protocol violation or a transport failure.</summary>
    public long SessionsFailed => Interlocked.Read(ref _sessionsFailed);

    /// <summary>Reconcile round trips made as initiator.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Notifications pulled and accepted by the ingress gate.</summary>
    public long ItemsPulled => Interlocked.Read(ref _pulled);

    /// <summary>Pulled notifications the ingress gate did not store (duplicate, expired, bad work …).</summary>
    public long ItemsPullRefused => Interlocked.Read(ref _pullRefused);

    /// <summary>Notifications offered (published) to peers that lacked them.</summary>
    public long ItemsOffered => Interlocked.Read(ref _offered);

    /// <summary>Sync requests answered as responder.</summary>
    public long RequestsServed => Interlocked.Read(ref _served);

    /// <summary>Index entries read for reconcile requests as responder (§11.8.7 scan budget).</summary>
    public long EntriesScanned => Interlocked.Read(ref _scanned);

    /// <summary>The most index entries one reconcile request made this node read as responder.</summary>
    public long MaxScannedPerRequest => Interlocked.Read(ref _maxScanned);

    /// <summary>True while the shard had fewer than the safe number of providers at the last check.</summary>
    public bool Offering { get; internal set; } = true;

    /// <summary>Providers of the shard found at the last check (-1: not checked yet).</summary>
    public int LastProviderCount { get; internal set; } = -1;

    internal void Session() => Interlocked.Increment(ref _sessions);

    internal void SessionFailed() => Interlocked.Increment(ref _sessionsFailed);

    internal void Round(long sent, long received)
    {
        Interlocked.Increment(ref _rounds);
        Bytes(sent, received);
    }

    internal void Bytes(long sent, long received)
    {
        Interlocked.Add(ref _bytesSent, sent);
        Interlocked.Add(ref _bytesReceived, received);
    }

    internal void Pulled(bool accepted) => Interlocked.Increment(ref accepted ? ref _pulled : ref _pullRefused);

    internal void Offered() => Interlocked.Increment(ref _offered);

    internal void Served() => Interlocked.Increment(ref _served);

    internal void Scanned(long entries)
    {
        Interlocked.Add(ref _scanned, entries);
        long max;
        while (entries > (max = Interlocked.Read(ref _maxScanned)) && Interlocked.CompareExchange(ref _maxScanned, entries, max) != max)
        {
        }
    }
}
