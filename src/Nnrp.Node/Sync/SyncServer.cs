using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Node.Sync;

/// <summary>
/// The responder side of §11.8 behind /nnrp/1.0, its costs bounded per §11.8.7: the per-peer
/// sync rate rule (the node's <see cref="Decisions.RateRules"/>, applied by <see cref="NnrpService"/>
/// before dispatching here), one request at a time per peer, a few requests served at once node-wide (a request
/// that finds them busy waits its turn, first come first served, for at most
/// <see cref="MaxSlotWait"/>), a scan budget per reconcile request, and the scan stopped as soon
/// as the request's token fires (the peer went, or the response deadline passed).
/// <see cref="NnrpService"/> dispatches <c>Request.sync</c> to the server the node gave it.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "_slots never hands out its wait handle, so it holds nothing to dispose; the server lives as long as its store")]
public sealed class SyncServer
{
    /// <summary>§11.8.7: how long a request waits for a free slot before it is answered OVER_CAPACITY.</summary>
    public static readonly TimeSpan MaxSlotWait = TimeSpan.FromSeconds(2);

    /// <summary>§11.8.7: the retry hint sent with a per-peer or node-wide refusal.</summary>
    private const uint RetryAfterSeconds = 1;

    private readonly INotificationStore _store;
    private readonly ISyncSet _set;
    private readonly SemaphoreSlim _slots;
    private readonly int _scanBudget;
    private readonly ConcurrentDictionary<string, byte> _busyPeers = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="metrics">where the responder counts (the node's sync metrics, shared with its <see cref="SyncService"/>); default: its own.</param>
    /// <param name="set">the items reconciled; default: the store's <c>by_time</c> index.</param>
    public SyncServer(INotificationStore store, SyncOptions? options = null, TimeProvider? time = null, ILogger? logger = null,
        SyncMetrics? metrics = null, ISyncSet? set = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SyncOptions();
        _store = store;
        _set = set ?? new StoreSyncSet(store);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Metrics = metrics ?? new SyncMetrics();
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentRequests));
        _scanBudget = Math.Max(2, options.MaxScanPerRequest);
    }

    public SyncMetrics Metrics { get; }

    /// <summary>Answers one sync request from <paramref name="peer"/> (a peer id in text).</summary>
    public async Task<Response> HandleAsync(SyncRequest request, string peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // One request at a time per peer, so one peer holds at most one slot (and one place in line).
        if (!_busyPeers.TryAdd(peer, 0))
        {
            _logger.RequestRefused(peer, "another request from this peer is in progress");
            return new Response { Status = StatusCode.RateLimited, Message = "one sync request at a time per peer", RetryAfterSeconds = RetryAfterSeconds };
        }
        try
        {
            if (!await _slots.WaitAsync(MaxSlotWait, cancellationToken))
            {
                return new Response { Status = StatusCode.OverCapacity, Message = "the node serves other sync requests", RetryAfterSeconds = RetryAfterSeconds };
            }
            try
            {
                Metrics.Served();
                // The scans are synchronous RocksDB reads; keep them off the connection's I/O thread.
                return await Task.Run(() => Answer(request, cancellationToken), cancellationToken);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (SyncProtocolException ex)
        {
            _logger.RequestRefused(peer, ex.Message);
            return new Response { Status = StatusCode.BadForm, Message = ex.Message };
        }
        finally
        {
            _busyPeers.TryRemove(peer, out _);
        }
    }

    private Response Answer(SyncRequest request, CancellationToken cancellationToken)
    {
        switch (request.BodyCase)
        {
            case SyncRequest.BodyOneofCase.Reconcile:
                if (request.Reconcile.Ranges.Count == 0)
                {
                    throw new SyncProtocolException("a reconcile request carries at least one range");
                }
                List<SyncRange> ranges = SyncWire.FromProto(request.Reconcile.Ranges, SyncLimits.MaxRequestRanges,
                    SyncLimits.InitiatorIdListMax, SyncLimits.MaxRequestRanges * SyncLimits.InitiatorIdListMax);
                // §11.8.8: only the items of the request's shard (absent: (0, 0), everything).
                if (Shards.ShardId.FromProto(request.Reconcile.Shard) is not { } shard)
                {
                    throw new SyncProtocolException($"a sync shard has bits 0..{Shards.ShardId.MaxBits} and an index below 2^bits");
                }
                SyncAnswer answer = SyncResponder.Answer(_set.ForShard(shard), ranges, _scanBudget, cancellationToken);
                Metrics.Scanned(answer.Scanned);
                var reconciled = new SyncResponse { Answered = (uint)answer.Answered };
                reconciled.Ranges.Add(answer.Ranges.Select(SyncWire.ToProto));
                return new Response { Status = StatusCode.Ok, Sync = reconciled };
            case SyncRequest.BodyOneofCase.Get:
                return new Response { Status = StatusCode.Ok, Sync = Get(request.Get) };
            default:
                throw new SyncProtocolException("a sync request names no reconcile or get");
        }
    }

    private SyncResponse Get(SyncGet get)
    {
        if (get.Hashes.Count is 0 or > SyncLimits.MaxGetHashes)
        {
            throw new SyncProtocolException($"a get asks for 1..{SyncLimits.MaxGetHashes} hashes, not {get.Hashes.Count}");
        }
        ulong now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
        var response = new SyncResponse();
        int size = 0;
        foreach (ByteString bytes in get.Hashes)
        {
            if (bytes.Length != NotificationHash.Size)
            {
                throw new SyncProtocolException($"a get hash is {NotificationHash.Size} bytes, not {bytes.Length}");
            }
            if (_store.Get(NotificationHash.FromBytes(bytes.Span)) is { } n && n.ExpiresAt > now)
            {
                Core.Protocol.Notification proto = NotificationProtobuf.ToProto(n);
                size += proto.CalculateSize() + 4;
                if (size > NnrpProtocol.MaxResponseSize - 1024)
                {
                    break;
                }
                response.Notifications.Add(proto);
            }
        }
        return response;
    }
}
