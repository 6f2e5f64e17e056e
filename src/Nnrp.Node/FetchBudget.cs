using Nnrp.Core.Notifications;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node;

/// <summary>
/// Bytes of fetch answers in flight (NNRP.md §11.5 "Answer budget", §12): a page read from
/// the store and not yet taken by its reader holds part of this budget, per client (a peer id
/// on /nnrp/1.0, an address on HTTP) and node-wide, so neither many streams from one client
/// nor many clients can make the node hold more than <see cref="FetchBudgetOptions.TotalBytes"/>
/// of answers at once. A fetch that does not fit is refused at once (OVER_CAPACITY / 503 with
/// a retry hint), never queued behind a slow reader. Both doors share one instance.
/// </summary>
public sealed class FetchBudget
{
    private readonly FetchBudgetOptions _options;
    private readonly Dictionary<object, long> _perClient = [];
    private readonly Lock _sync = new();
    private long _total;

    public FetchBudget(FetchBudgetOptions? options = null)
    {
        _options = options ?? new FetchBudgetOptions();
        if (_options.PerClientBytes <= 0 || _options.TotalBytes < _options.PerClientBytes)
        {
            throw new ArgumentException("fetch budgets must be positive, the total at least the per-client one", nameof(options));
        }
    }

    public FetchBudgetOptions Options => _options;

    /// <summary>Bytes reserved right now, over every client.</summary>
    public long InFlight
    {
        get
        {
            lock (_sync)
            {
                return _total;
            }
        }
    }

    /// <summary>
    /// The most a page of <paramref name="limit"/> notifications can take, reserved before the
    /// store is read: every item at <see cref="NotificationLimits.MaxEncodedSize"/> plus its
    /// framing, the whole never over the §11.1 response cap.
    /// </summary>
    public static long WorstCase(int limit) => Math.Min(FetchBudgetOptions.MaxPageBytes, (long)limit * (NotificationLimits.MaxEncodedSize + ItemFraming) + ItemFraming);

    /// <summary>
    /// What a page read from the store holds until its reader has taken it: each notification
    /// at its payload plus the worst case of its other fields, and the cursor.
    /// </summary>
    public static long PageBytes(NotificationPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        long bytes = page.NextCursor.Length + ItemFraming;
        foreach (Notification n in page.Notifications)
        {
            bytes += n.Payload.Length + NotificationLimits.MaxEncodedSize - NotificationLimits.MaxPayload + ItemFraming;
        }
        return bytes;
    }

    /// <summary>Tag and length of one repeated item, and room for the cursor field.</summary>
    private const int ItemFraming = 4;

    /// <summary>
    /// Reserves <paramref name="bytes"/> for <paramref name="client"/>; null when the client's or
    /// the node's budget would be exceeded. Dispose the lease when the answer is written or abandoned.
    /// </summary>
    public FetchLease? TryReserve(object client, long bytes)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_sync)
        {
            long mine = _perClient.GetValueOrDefault(client);
            if (mine + bytes > _options.PerClientBytes || _total + bytes > _options.TotalBytes)
            {
                return null;
            }
            _perClient[client] = mine + bytes;
            _total += bytes;
        }
        return new FetchLease(this, client, bytes);
    }

    internal void Release(object client, long bytes)
    {
        lock (_sync)
        {
            _total -= bytes;
            long left = _perClient[client] - bytes;
            if (left == 0)
            {
                // Forget idle clients, so fresh peer ids or addresses cannot grow the map.
                _perClient.Remove(client);
            }
            else
            {
                _perClient[client] = left;
            }
        }
    }
}

/// <summary>Bytes of a <see cref="FetchBudget"/> held by one answer.</summary>
public sealed class FetchLease : IDisposable
{
    private readonly FetchBudget _budget;
    private readonly object _client;
    private long _bytes;

    internal FetchLease(FetchBudget budget, object client, long bytes)
    {
        _budget = budget;
        _client = client;
        _bytes = bytes;
    }

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Gives back what the answer turned out not to need (after the store was read).</summary>
    public void ShrinkTo(long bytes)
    {
        long held = Interlocked.Read(ref _bytes);
        if (bytes < held && Interlocked.CompareExchange(ref _bytes, bytes, held) == held)
        {
            _budget.Release(_client, held - bytes);
        }
    }

    public void Dispose()
    {
        long held = Interlocked.Exchange(ref _bytes, 0);
        if (held > 0)
        {
            _budget.Release(_client, held);
        }
    }
}

/// <summary>Limits of a <see cref="FetchBudget"/>.</summary>
public sealed record FetchBudgetOptions
{
    /// <summary>§11.1: one answer is at most 2 MiB.</summary>
    public const long MaxPageBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Answer bytes one client (peer id or address) may have in flight: two full pages, so a
    /// wallet paging two nodes' worth in parallel is never refused, while 256 streams of one
    /// peer that never read pin 4 MiB, not 512 MiB.
    /// </summary>
    public long PerClientBytes { get; init; } = 2 * MaxPageBytes;

    /// <summary>Answer bytes in flight over the whole node (both doors).</summary>
    public long TotalBytes { get; init; } = 64L * 1024 * 1024;
}
