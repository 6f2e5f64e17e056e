using Nnrp.Node.Decisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Node.Storage;

namespace Nnrp.Node.Ingress;

/// <summary>
/// The one gate every notification passes, whatever door it came in by (/nnrp/1.0 publish,
/// GossipSub validator, HTTP POST, sync). In order (issue 6 item 2, NNRP.md §11.4):
/// <code>
///   decode + form (§3) → clock window (§5) → hash (§3.2) → dedupe → work ≥ required (§6.3)
///     → bounded queue → one WriteBatch per group, WAL synced (store) → accepted listeners (gossip)
/// </code>
/// A single writer thread drains the queue, so while one group is being synced the next one
/// gathers (group commit). When the queue is full the lowest work value waiting is shed, and
/// its fill — or the store's, whichever is higher — raises the load factor of the required
/// threshold that everyone sees. Only notifications the store took count toward a tag's
/// escalation (NNRP.md §6.3), so refusals cannot raise a victim's price.
/// </summary>
public sealed class IngressGate : IAsyncDisposable
{
    private readonly INotificationStore _store;
    private readonly IngressOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TagWindowCounter _tags;
    private readonly object _lock = new();
    private readonly SortedSet<Pending> _queue = new(Pending.ByValue);
    private readonly Dictionary<NotificationHash, Pending> _inFlight = [];
    // Per tag, notifications queued but not yet written: they count toward n until the write
    // decides, so a burst cannot all slip in at the price of the first (NNRP.md §6.3).
    private readonly Dictionary<RecipientTag, int> _queuedPerTag = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly long[] _counts = new long[Enum.GetValues<DecisionStatus>().Length];
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<Notification, Origin>[] _listeners = [];
    private long _sequence;
    private bool _stopping;

    public IngressGate(INotificationStore store, IngressOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new IngressOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxGroup, 1);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        WorkPolicy p = _options.Policy;
        // Beyond this n the escalation is at its cap already; counting further buys nothing.
        int saturation = p.FreePerTag + (int)Math.Ceiling(p.DoublingEvery * Math.Log2(p.MaxMultiplier)) + 1;
        _tags = new TagWindowCounter(p.TagWindow, saturation);
        var writer = new Thread(WriterLoop) { IsBackground = true, Name = "nnrp-ingress-writer" };
        writer.Start();
    }

    public WorkPolicy Policy => _options.Policy;

    /// <summary>NNRP.md §8.3: whether the node holds a tag's shard; null holds every tag. Refusals are WRONG_SHARD.</summary>
    public Func<RecipientTag, bool>? HoldsTag { get; set; }

    public INotificationStore Store => _store;

    /// <summary>Ingress queue fill, 0 idle … 1 saturated.</summary>
    public double QueueFill
    {
        get
        {
            lock (_lock)
            {
                return (double)_queue.Count / _options.QueueCapacity;
            }
        }
    }

    /// <summary>Store fill against its global size cap, 0 … 1 (0 for a store without a cap).</summary>
    public double StoreFill => _store.Floor?.Fill ?? 0.0;

    /// <summary>The u of NNRP.md §6.3: max(queue fill, store fill).</summary>
    public double Utilisation => Math.Max(QueueFill, StoreFill);

    /// <summary>What a fresh tag must meet right now: the advertised <c>current_threshold</c>.</summary>
    public ulong CurrentThreshold => RequiredThreshold.Current(Utilisation, Policy);

    /// <summary>What a notification to <paramref name="tag"/> must meet right now.</summary>
    public ulong RequiredThresholdFor(RecipientTag tag) =>
        RequiredThreshold.Compute(_tags.Count(tag, Now()) + QueuedFor(tag), Utilisation, Policy);

    private int QueuedFor(RecipientTag tag)
    {
        lock (_lock)
        {
            return _queuedPerTag.GetValueOrDefault(tag);
        }
    }

    /// <summary>How many submissions ended with <paramref name="status"/> since start.</summary>
    public long Count(DecisionStatus status) => Interlocked.Read(ref _counts[(int)status]);

    /// <summary>
    /// Called on the writer thread after each notification is durably stored, with the origin
    /// it came from (gossip publishes here what did not come by gossip). Keep it short.
    /// </summary>
    public void AddAcceptedListener(Action<Notification, Origin> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    /// <summary>Forgets per-tag counts older than the window (the sweeper calls this).</summary>
    public void PruneTagWindows() => _tags.Prune(Now());

    /// <summary>
    /// Decodes a protobuf notification (§3.4), the one decode of the bytes a door received, and
    /// submits it from <paramref name="origin"/> (default: the node itself, <see cref="Origin.Local"/>).
    /// </summary>
    public Task<Decision> SubmitEncodedAsync(ReadOnlyMemory<byte> protobuf, Origin? origin = null, CancellationToken cancellationToken = default)
    {
        Notification notification;
        try
        {
            notification = NotificationProtobuf.Decode(protobuf.Span);
        }
        catch (NotificationRuleException ex)
        {
            return Task.FromResult(Finish(Decision.BadForm(ex.Message, ex.Rule)));
        }
        return SubmitAsync(notification, origin, cancellationToken);
    }

    /// <summary>Counts and logs a refusal a door decided before the gate (a publish that did not decode).</summary>
    internal Decision Refuse(Decision refusal) => Finish(refusal);

    /// <summary>
    /// Checks a notification from <paramref name="origin"/> (default: the node itself,
    /// <see cref="Origin.Local"/>) and, if it passes, stores it; completes once it is durable or refused.
    /// </summary>
    public Task<Decision> SubmitAsync(Notification notification, Origin? origin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        long now = Now();
        NotificationValidation validation = notification.Validate(now);
        if (!validation.IsValid)
        {
            return Task.FromResult(Finish(new Decision(Decision.FromRule(validation.Rule), validation.Message) { Rule = validation.Rule }));
        }
        if (HoldsTag is { } holds && !holds(notification.RecipientTag))
        {
            // NNRP.md §8.3: after form and clock, before hash and work; the door maps it (gossip: Ignore).
            return Task.FromResult(Finish(new Decision(DecisionStatus.WrongShard,
                "the tag is outside the shards this node holds; publish to a holder of its shard (NNRP.md §8.4)")));
        }
        NotificationHash hash = notification.Hash;
        Pending? existing;
        lock (_lock)
        {
            _inFlight.TryGetValue(hash, out existing);
        }
        if (existing is not null)
        {
            return DuplicateOfAsync(existing, cancellationToken);
        }
        try
        {
            if (_store.Contains(hash))
            {
                return Task.FromResult(Finish(Stored(DecisionStatus.Duplicate, hash, notification, "already stored")));
            }
        }
        catch (StoreUnavailableException ex)
        {
            return Task.FromResult(Finish(Decision.Internal(ex.Message) with { Hash = hash }));
        }
        Span<byte> root = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(root);
        ulong value = ProofOfWork.Value(root, notification.Work);
        ulong required = RequiredThresholdFor(notification.RecipientTag);
        if (value < required)
        {
            return Task.FromResult(Finish(new Decision(DecisionStatus.InsufficientWork,
                $"work value {value:x16} is below the required threshold {required:x16}")
            {
                Hash = hash,
                RequiredThreshold = required,
                WorkValue = value,
                Rule = NotificationRule.InsufficientWork,
            }));
        }
        if (_store.Floor is { } floor && floor.IsFullFor(NotificationLimits.MaxEncodedSize))
        {
            // NNRP.md §6.4: a full store takes a newcomer only for more work per byte than the
            // least it holds. Refused here, a cheap flood never reaches the queue or the disk.
            int size = NotificationProtobuf.ToProto(notification).CalculateSize();
            if (floor.Refuses(value, size))
            {
                return Task.FromResult(Finish(StoreFull(hash, floor, size, required)));
            }
        }
        return Enqueue(notification, origin ?? Origin.Local, hash, value, cancellationToken);
    }

    /// <summary>NNRP.md §6.4: what gets into a full mailbox is more than the lowest value it holds.</summary>
    private Decision MailboxFull(Pending p)
    {
        ulong lowest = Math.Max(p.Value, _store.LowestValueOf(p.Notification.RecipientTag) ?? p.Value);
        return new Decision(DecisionStatus.OverCapacity,
            $"the mailbox holds {nameof(StoreOptions.PerTagCap)} notifications with at least this much work")
        {
            Hash = p.Hash,
            RequiredThreshold = Math.Max(RequiredThresholdFor(p.Notification.RecipientTag), lowest == ulong.MaxValue ? ulong.MaxValue : lowest + 1),
        };
    }

    private static Decision StoreFull(NotificationHash hash, StoreFloor floor, int size, ulong required) =>
        new(DecisionStatus.OverCapacity, "the store is full of notifications carrying more work per byte")
        {
            Hash = hash,
            RequiredThreshold = Math.Max(required, floor.ThresholdFor(size)),
        };

    private Task<Decision> Enqueue(Notification notification, Origin origin, NotificationHash hash, ulong value, CancellationToken cancellationToken)
    {
        var pending = new Pending(notification, origin, hash, value, Interlocked.Increment(ref _sequence));
        Pending? shed = null;
        lock (_lock)
        {
            if (_inFlight.TryGetValue(hash, out Pending? existing))
            {
                return DuplicateOfAsync(existing, cancellationToken);
            }
            if (_stopping)
            {
                return Task.FromResult(Finish(new Decision(DecisionStatus.OverCapacity, "the node is shutting down") { Hash = hash }));
            }
            if (_queue.Count >= _options.QueueCapacity)
            {
                // Overload: the lowest work value waiting goes first (NNRP.md §6.3), which may be this one.
                Pending lowest = _queue.Min!;
                if (Pending.ByValue.Compare(lowest, pending) >= 0)
                {
                    _logger.Shed(_options.QueueCapacity, value);
                    return Task.FromResult(Finish(Overloaded(hash)));
                }
                _queue.Remove(lowest);
                _inFlight.Remove(lowest.Hash);
                Unqueue(lowest.Notification.RecipientTag);
                shed = lowest;
            }
            _queue.Add(pending);
            _inFlight[hash] = pending;
            _queuedPerTag[notification.RecipientTag] = _queuedPerTag.GetValueOrDefault(notification.RecipientTag) + 1;
            if (_queue.Count == 1 || shed is not null)
            {
                _signal.Release();
            }
        }
        if (shed is not null)
        {
            _logger.Shed(_options.QueueCapacity, shed.Value);
            shed.Complete(Finish(Overloaded(shed.Hash)));
        }
        return pending.Result.WaitAsync(cancellationToken);
    }

    /// <summary>Under <see cref="_lock"/>: one queued notification of <paramref name="tag"/> is decided.</summary>
    private void Unqueue(RecipientTag tag)
    {
        int left = _queuedPerTag.GetValueOrDefault(tag) - 1;
        if (left > 0)
        {
            _queuedPerTag[tag] = left;
        }
        else
        {
            _queuedPerTag.Remove(tag);
        }
    }

    private Decision Overloaded(NotificationHash hash) =>
        new(DecisionStatus.OverCapacity, "the node is overloaded; more work gets in first")
        {
            Hash = hash,
            RequiredThreshold = CurrentThreshold,
        };

    private async Task<Decision> DuplicateOfAsync(Pending first, CancellationToken cancellationToken)
    {
        Decision result = await first.Result.WaitAsync(cancellationToken);
        return Finish(result.Status == DecisionStatus.Accepted
            ? result with { Status = DecisionStatus.Duplicate, Message = "already stored" }
            : result);
    }

    private void WriterLoop()
    {
        var group = new List<Pending>(_options.MaxGroup);
        var notifications = new List<Notification>(_options.MaxGroup);
        while (true)
        {
            _signal.Wait();
            while (true)
            {
                group.Clear();
                lock (_lock)
                {
                    // Best-paid first: under load the cheap ones wait and are shed.
                    while (group.Count < _options.MaxGroup && _queue.Max is { } best)
                    {
                        _queue.Remove(best);
                        group.Add(best);
                    }
                    if (group.Count == 0)
                    {
                        if (_stopping)
                        {
                            _writerDone.TrySetResult();
                            return;
                        }
                        break;
                    }
                }
                Commit(group, notifications);
            }
        }
    }

    private void Commit(List<Pending> group, List<Notification> notifications)
    {
        notifications.Clear();
        foreach (Pending p in group)
        {
            notifications.Add(p.Notification);
        }
        IReadOnlyList<StoreOutcome>? outcomes = null;
        string failure = string.Empty;
        try
        {
            outcomes = _store.Put(notifications);
        }
        catch (StoreUnavailableException ex)
        {
            failure = ex.Message;
            _logger.GroupFailed(group.Count, ex.Message);
        }
        if (outcomes is not null)
        {
            // NNRP.md §6.3: n counts notifications the node accepted, recorded before they stop
            // counting as queued so that n never dips in between.
            long now = Now();
            for (int i = 0; i < group.Count; i++)
            {
                if (outcomes[i] == StoreOutcome.Stored)
                {
                    _tags.Record(group[i].Notification.RecipientTag, now);
                }
            }
        }
        lock (_lock)
        {
            // Only now is the store the source of truth for these hashes (dedupe moves there).
            foreach (Pending p in group)
            {
                _inFlight.Remove(p.Hash);
                Unqueue(p.Notification.RecipientTag);
            }
        }
        int stored = 0;
        for (int i = 0; i < group.Count; i++)
        {
            Pending p = group[i];
            Decision result = outcomes is null
                ? new Decision(DecisionStatus.Internal, "the store refused the write: " + failure) { Hash = p.Hash }
                : outcomes[i] switch
                {
                    StoreOutcome.Stored => Stored(DecisionStatus.Accepted, p.Hash, p.Notification, "stored"),
                    StoreOutcome.Duplicate => Stored(DecisionStatus.Duplicate, p.Hash, p.Notification, "already stored"),
                    StoreOutcome.StoreFull when _store.Floor is { } floor =>
                        StoreFull(p.Hash, floor, NotificationProtobuf.ToProto(p.Notification).CalculateSize(), RequiredThresholdFor(p.Notification.RecipientTag)),
                    _ => MailboxFull(p),
                };
            stored += result.Status == DecisionStatus.Accepted ? 1 : 0;
            p.Complete(Finish(result));
        }
        _logger.GroupCommitted(group.Count, stored);
        if (stored > 0)
        {
            NotifyListeners(group, outcomes!);
        }
    }

    private void NotifyListeners(List<Pending> group, IReadOnlyList<StoreOutcome> outcomes)
    {
        Action<Notification, Origin>[] listeners = Volatile.Read(ref _listeners);
        for (int i = 0; i < group.Count; i++)
        {
            if (outcomes[i] != StoreOutcome.Stored)
            {
                continue;
            }
            foreach (Action<Notification, Origin> listener in listeners)
            {
                try
                {
                    listener(group[i].Notification, group[i].Origin);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _logger.ListenerFailed(ex);
                }
            }
        }
    }

    private static Decision Stored(DecisionStatus status, NotificationHash hash, Notification n, string message) =>
        new(status, message) { Hash = hash, ExpiresAt = n.ExpiresAt };

    private Decision Finish(Decision result)
    {
        Interlocked.Increment(ref _counts[(int)result.Status]);
        if (result.Status is not (DecisionStatus.Accepted or DecisionStatus.Duplicate))
        {
            _logger.Refused(result.Hash?.ToString() ?? "-", result.Status, result.Message);
        }
        return result;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Stops taking notifications, writes what is queued, and stops the writer. The store stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }
            _stopping = true;
        }
        _signal.Release();
        await _writerDone.Task;
    }

    private sealed class Pending(Notification notification, Origin origin, NotificationHash hash, ulong value, long sequence)
    {
        private readonly TaskCompletionSource<Decision> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Lowest work value first; among equals the later arrival sorts lower (shed first, written last).</summary>
        public static readonly IComparer<Pending> ByValue = Comparer<Pending>.Create(static (a, b) =>
        {
            int c = a.Value.CompareTo(b.Value);
            return c != 0 ? c : b.Sequence.CompareTo(a.Sequence);
        });

        public Notification Notification { get; } = notification;

        public Origin Origin { get; } = origin;

        public NotificationHash Hash { get; } = hash;

        public ulong Value { get; } = value;

        public long Sequence { get; } = sequence;

        public Task<Decision> Result => _result.Task;

        public void Complete(Decision result) => _result.TrySetResult(result);
    }
}
