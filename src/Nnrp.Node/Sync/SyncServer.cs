using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Libp2p.Limits;

namespace Nnrp.Node.Sync;

/// <summary>
/// The responder side of §11.8 behind /nnrp/1.0: per-peer rate limit and a cap on requests
/// served at once (scans cost disk reads), then <see cref="SyncResponder"/> or a get.
/// <see cref="NnrpService"/> dispatches <c>Request.sync</c> here through <see cref="For"/>.
/// </summary>
public sealed class SyncServer
{
    private static readonly ConditionalWeakTable<INotificationStore, SyncServer> Servers = [];

    private readonly INotificationStore _store;
    private readonly StoreSyncSet _set;
    private readonly PeerRateLimiter _rate;
    private readonly int _maxConcurrent;
    private int _active;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SyncServer(INotificationStore store, SyncOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SyncOptions();
        _store = store;
        _set = new StoreSyncSet(store);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _rate = new PeerRateLimiter(options.PeerRequestsPerSecond, options.PeerBurst, _time);
        _maxConcurrent = options.MaxConcurrentRequests;
    }

    public SyncMetrics Metrics { get; } = new();

    /// <summary>The server of <paramref name="store"/>: the one <see cref="Attach"/>ed, else one with default limits.</summary>
    public static SyncServer For(INotificationStore store) => Servers.GetValue(store, s => new SyncServer(s));

    /// <summary>Makes <paramref name="server"/> the one <see cref="For"/> returns for its store.</summary>
    public static void Attach(SyncServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        Servers.AddOrUpdate(server._store, server);
    }

    /// <summary>Answers one sync request from <paramref name="peer"/> (a peer id in text).</summary>
    public async Task<Response> HandleAsync(SyncRequest request, string peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (PeerId.TryParse(peer, out PeerId? id) && !_rate.TryAcquire(id, out uint retryAfter))
        {
            _logger.RequestRefused(peer, "rate limited");
            return new Response { Status = StatusCode.RateLimited, Message = "too many sync requests from this peer", RetryAfterSeconds = retryAfter };
        }
        if (Interlocked.Increment(ref _active) > _maxConcurrent)
        {
            Interlocked.Decrement(ref _active);
            return new Response { Status = StatusCode.OverCapacity, Message = "the node serves other sync requests", RetryAfterSeconds = 1 };
        }
        try
        {
            Metrics.Served();
            // The scans are synchronous RocksDB reads; keep them off the connection's I/O thread.
            return await Task.Run(() => Answer(request), cancellationToken);
        }
        catch (SyncProtocolException ex)
        {
            _logger.RequestRefused(peer, ex.Message);
            return new Response { Status = StatusCode.BadForm, Message = ex.Message };
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private Response Answer(SyncRequest request)
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
                SyncAnswer answer = SyncResponder.Answer(_set, ranges);
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
