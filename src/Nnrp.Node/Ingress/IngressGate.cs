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
/// its fill raises the load factor of the required threshold that everyone sees.
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
    private readonly SemaphoreSlim _signal = new(0);
    private readonly long[] _counts = new long[Enum.GetValues<IngressStatus>().Length];
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<Notification>[] _listeners = [];
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

    public INotificationStore Store => _store;

    /// <summary>Queue fill, the u of NNRP.md §6.3 (0 idle … 1 saturated).</summary>
    public double Utilisation
    {
        get
        {
            lock (_lock)
            {
                return (double)_queue.Count / _options.QueueCapacity;
            }
        }
    }

    /// <summary>What a fresh tag must meet right now: the advertised <c>current_threshold</c>.</summary>
    public ulong CurrentThreshold => RequiredThreshold.Current(Utilisation, Policy);

    /// <summary>What a notification to <paramref name="tag"/> must meet right now.</summary>
    public ulong RequiredThresholdFor(RecipientTag tag) =>
        RequiredThreshold.Compute(_tags.Count(tag, Now()), Utilisation, Policy);

    /// <summary>How many submissions ended with <paramref name="status"/> since start.</summary>
    public long Count(IngressStatus status) => Interlocked.Read(ref _counts[(int)status]);

    /// <summary>Called on the writer thread after each notification is durably stored (gossip publishes here). Keep it short.</summary>
    public void AddAcceptedListener(Action<Notification> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    /// <summary>Forgets per-tag counts older than the window (the sweeper calls this).</summary>
    public void PruneTagWindows() => _tags.Prune(Now());

    /// <summary>Decodes a protobuf notification (§3.4) and submits it.</summary>
    public Task<IngressResult> SubmitEncodedAsync(ReadOnlyMemory<byte> protobuf, CancellationToken cancellationToken = default)
    {
        Notification notification;
        try
        {
            notification = NotificationProtobuf.Decode(protobuf.Span);
        }
        catch (NotificationRuleException ex)
        {
            return Task.FromResult(Finish(new IngressResult(IngressStatus.BadForm, ex.Message) { Rule = ex.Rule }));
        }
        return SubmitAsync(notification, cancellationToken);
    }

    /// <summary>Checks a notification and, if it passes, stores it; completes once it is durable or refused.</summary>
    public Task<IngressResult> SubmitAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        long now = Now();
        NotificationValidation validation = notification.Validate(now);
        if (!validation.IsValid)
        {
            return Task.FromResult(Finish(new IngressResult(IngressResult.FromRule(validation.Rule), validation.Message) { Rule = validation.Rule }));
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
                return Task.FromResult(Finish(Stored(IngressStatus.Duplicate, hash, notification, "already stored")));
            }
        }
        catch (StoreUnavailableException ex)
        {
            return Task.FromResult(Finish(new IngressResult(IngressStatus.Internal, ex.Message) { Hash = hash }));
        }
        Span<byte> root = stackalloc byte[NotificationHash.Size];
        hash.CopyTo(root);
        ulong value = ProofOfWork.Value(root, notification.Work);
        ulong required = RequiredThresholdFor(notification.RecipientTag);
        if (value < required)
        {
            return Task.FromResult(Finish(new IngressResult(IngressStatus.InsufficientWork,
                $"work value {value:x16} is below the required threshold {required:x16}")
            {
                Hash = hash,
                RequiredThreshold = required,
                WorkValue = value,
                Rule = NotificationRule.InsufficientWork,
            }));
        }
        return Enqueue(notification, hash, value, now, cancellationToken);
    }

    private Task<IngressResult> Enqueue(Notification notification, NotificationHash hash, ulong value, long now, CancellationToken cancellationToken)
    {
        var pending = new Pending(notification, hash, value, Interlocked.Increment(ref _sequence));
        Pending? shed = null;
        lock (_lock)
        {
            if (_inFlight.TryGetValue(hash, out Pending? existing))
            {
                return DuplicateOfAsync(existing, cancellationToken);
            }
            if (_stopping)
            {
                return Task.FromResult(Finish(new IngressResult(IngressStatus.OverCapacity, "the node is shutting down") { Hash = hash }));
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
                shed = lowest;
            }
            _queue.Add(pending);
            _inFlight[hash] = pending;
            _tags.Record(notification.RecipientTag, now);
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

    private IngressResult Overloaded(NotificationHash hash) =>
        new(IngressStatus.OverCapacity, "the node is overloaded; more work gets in first")
        {
            Hash = hash,
            RequiredThreshold = CurrentThreshold,
        };

    private async Task<IngressResult> DuplicateOfAsync(Pending first, CancellationToken cancellationToken)
    {
        IngressResult result = await first.Result.WaitAsync(cancellationToken);
        return Finish(result.Status == IngressStatus.Accepted
            ? result with { Status = IngressStatus.Duplicate, Message = "already stored" }
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
        lock (_lock)
        {
            // Only now is the store the source of truth for these hashes (dedupe moves there).
            foreach (Pending p in group)
            {
                _inFlight.Remove(p.Hash);
            }
        }
        int stored = 0;
        for (int i = 0; i < group.Count; i++)
        {
            Pending p = group[i];
            IngressResult result = outcomes is null
                ? new IngressResult(IngressStatus.Internal, "the store refused the write: " + failure) { Hash = p.Hash }
                : outcomes[i] switch
                {
                    StoreOutcome.Stored => Stored(IngressStatus.Accepted, p.Hash, p.Notification, "stored"),
                    StoreOutcome.Duplicate => Stored(IngressStatus.Duplicate, p.Hash, p.Notification, "already stored"),
                    _ => new IngressResult(IngressStatus.OverCapacity,
                        $"the mailbox holds {nameof(StoreOptions.PerTagCap)} notifications with at least this much work")
                    {
                        Hash = p.Hash,
                        RequiredThreshold = p.Value == ulong.MaxValue ? ulong.MaxValue : p.Value + 1,
                    },
                };
            stored += result.Status == IngressStatus.Accepted ? 1 : 0;
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
        Action<Notification>[] listeners = Volatile.Read(ref _listeners);
        for (int i = 0; i < group.Count; i++)
        {
            if (outcomes[i] != StoreOutcome.Stored)
            {
                continue;
            }
            foreach (Action<Notification> listener in listeners)
            {
                try
                {
                    listener(group[i].Notification);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _logger.ListenerFailed(ex);
                }
            }
        }
    }

    private static IngressResult Stored(IngressStatus status, NotificationHash hash, Notification n, string message) =>
        new(status, message) { Hash = hash, ExpiresAt = n.ExpiresAt };

    private IngressResult Finish(IngressResult result)
    {
        Interlocked.Increment(ref _counts[(int)result.Status]);
        if (result.Status is not (IngressStatus.Accepted or IngressStatus.Duplicate))
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

    private sealed class Pending(Notification notification, NotificationHash hash, ulong value, long sequence)
    {
        private readonly TaskCompletionSource<IngressResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Lowest work value first; among equals the later arrival sorts lower (shed first, written last).</summary>
        public static readonly IComparer<Pending> ByValue = Comparer<Pending>.Create(static (a, b) =>
        {
            int c = a.Value.CompareTo(b.Value);
            return c != 0 ? c : b.Sequence.CompareTo(a.Sequence);
        });

        public Notification Notification { get; } = notification;

        public NotificationHash Hash { get; } = hash;

        public ulong Value { get; } = value;

        public long Sequence { get; } = sequence;

        public Task<IngressResult> Result => _result.Task;

        public void Complete(IngressResult result) => _result.TrySetResult(result);
    }
}
