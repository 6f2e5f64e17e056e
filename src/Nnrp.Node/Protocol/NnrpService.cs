using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;
using Notification = Nnrp.Core.Notifications.Notification;
using Nnrp.Libp2p.Limits;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Protocol;

/// <summary>
/// The node side of /nnrp/1.0 (NNRP.md §11): one request per stream, answered with one
/// response. Publishes go through the <see cref="IngressGate"/> like every other door;
/// fetches read the store; status reports thresholds and counts.
/// </summary>
public sealed class NnrpService
{
    /// <summary>Hint sent with OVER_CAPACITY when the ingress sheds load.</summary>
    private const uint OverloadRetryAfterSeconds = 1;

    private readonly IngressGate _gate;
    private readonly INotificationStore _store;
    private readonly KeyPair _identity;
    private readonly ByteString _publicKey;
    private readonly NnrpServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeerRateLimiter _rate;
    private readonly Sync.SyncServer _sync;

    /// <summary>Hint sent with OVER_CAPACITY when the fetch budget is spent (§11.5): a page is written within seconds.</summary>
    private const uint FetchBudgetRetryAfterSeconds = 1;

    public NnrpService(IngressGate gate, KeyPair identity, NnrpServiceOptions? options = null, TimeProvider? time = null, ILogger? logger = null,
        FetchBudget? fetchBudget = null, Sync.SyncServer? sync = null)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(identity);
        _gate = gate;
        _store = gate.Store;
        _identity = identity;
        _publicKey = ByteString.CopyFrom(identity.PublicKey.Raw.Span);
        _options = options ?? new NnrpServiceOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _rate = new PeerRateLimiter(_options.PeerRequestsPerSecond, _options.PeerBurst, _time);
        FetchBudget = fetchBudget ?? new FetchBudget();
        _sync = sync ?? new Sync.SyncServer(_store);
    }

    /// <summary>Bytes of fetch answers in flight; shared with the HTTP door.</summary>
    public FetchBudget FetchBudget { get; }

    public NnrpServiceOptions Options => _options;

    /// <summary>Serves /nnrp/1.0 on <paramref name="host"/>.</summary>
    public void Register(Libp2pHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.SetStreamHandler(NnrpProtocol.Id, HandleStreamAsync);
    }

    /// <summary>The stream handler: rate limit, read one request within the timeout, answer, close.</summary>
    public async Task HandleStreamAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string peer = stream.RemotePeer.ToString();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeout);
        try
        {
            // Per-peer rate rules run before the request is read, so an abusive peer costs no parsing.
            if (!_rate.TryAcquire(stream.RemotePeer, out uint retryAfter))
            {
                _logger.RateLimited(peer);
                await AnswerAsync(stream, new Response
                {
                    Status = StatusCode.RateLimited,
                    Message = "too many requests from this peer",
                    RetryAfterSeconds = retryAfter,
                }, deadline.Token);
                return;
            }
            Request request;
            try
            {
                request = await NnrpCodec.ReadRequestAsync(stream.Input, deadline.Token);
            }
            catch (ProtocolViolationException ex)
            {
                // §11.1: answer BAD_FORM when possible, then reset the stream.
                _logger.BadRequest(peer, ex.Message);
                await AnswerAsync(stream, Refusal(StatusCode.BadForm, ex.Message), deadline.Token);
                stream.Reset();
                return;
            }
            deadline.CancelAfter(_options.ResponseTimeout);
            if (request.BodyCase == Request.BodyOneofCase.Fetch)
            {
                await FetchAsync(stream, request.Fetch, peer, deadline.Token);
                return;
            }
            Response response;
            if (request.BodyCase == Request.BodyOneofCase.Sync)
            {
                // §11.8.7: a sync scan stops when its peer goes, not only at the deadline.
                using var answered = new CancellationTokenSource();
                Task watch = PeerDeparture.WatchAsync(stream, deadline, answered.Token);
                try
                {
                    response = await HandleAsync(request, peer, deadline.Token);
                }
                finally
                {
                    await answered.CancelAsync();
                    await watch;
                }
            }
            else
            {
                response = await HandleAsync(request, peer, deadline.Token);
            }
            await AnswerAsync(stream, response, deadline.Token);
        }
        catch (TimeoutException ex)
        {
            // §11.5: a reader that takes nothing for the write-stall timeout is cut off.
            _logger.WriteStalled(peer, ex.Message);
            stream.Reset();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _logger.TimedOut(peer);
            stream.Reset();
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.StreamFailed(peer, ex.Message);
            stream.Reset();
        }
    }

    private static async Task AnswerAsync(Libp2pStream stream, Response response, CancellationToken cancellationToken)
    {
        await NnrpCodec.WriteAsync(stream.Output, response, NnrpProtocol.MaxResponseSize, cancellationToken);
        stream.CloseWrite();
    }

    /// <summary>Answers one decoded publish, status or sync request (fetches stream, see <see cref="FetchAsync"/>).</summary>
    private async Task<Response> HandleAsync(Request request, string peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return request.BodyCase switch
            {
                Request.BodyOneofCase.Publish => await PublishAsync(request.Publish, cancellationToken),
                Request.BodyOneofCase.Status => new Response { Status = StatusCode.Ok, StatusInfo = Status() },
                Request.BodyOneofCase.Sync => await _sync.HandleAsync(request.Sync, peer, cancellationToken),
                _ => Refusal(StatusCode.BadForm, "the request names no publish, fetch or status"),
            };
        }
        catch (StoreUnavailableException ex)
        {
            _logger.StoreFailed(peer, ex.Message);
            return Refusal(StatusCode.Internal, "the node's store failed");
        }
    }

    private async Task<Response> PublishAsync(PublishRequest publish, CancellationToken cancellationToken)
    {
        if (publish.Notification is null)
        {
            return Refusal(StatusCode.BadForm, "a publish carries a notification");
        }
        Notification notification;
        try
        {
            notification = NotificationProtobuf.FromProto(publish.Notification);
        }
        catch (NotificationRuleException ex)
        {
            return Refusal(StatusCode.BadForm, ex.Message);
        }
        IngressResult result = await _gate.SubmitAsync(notification, cancellationToken);
        // An INTERNAL message names the store's failure (paths, RocksDB text): the log keeps it.
        var response = new Response { Status = result.ToStatusCode(), Message = result.Status == IngressStatus.Internal ? "the node's store failed" : result.Message };
        if (result.Status is IngressStatus.InsufficientWork or IngressStatus.OverCapacity)
        {
            response.RequiredThreshold = result.RequiredThreshold;
        }
        if (result.Status == IngressStatus.OverCapacity)
        {
            response.RetryAfterSeconds = OverloadRetryAfterSeconds;
        }
        if (result.Hash is { } hash)
        {
            ByteString hashBytes = HashBytes(hash);
            response.Publish = new PublishResponse { Hash = hashBytes };
            if (result.IsStored)
            {
                // §11.6: DUPLICATE still returns hash and receipt.
                response.Publish.Receipt = SignReceipt(hashBytes, hash, result.ExpiresAt);
            }
        }
        return response;
    }

    /// <summary>
    /// §11.5: reserves the page's worst case in the fetch budget (per peer and node-wide) before
    /// the store is read, trims the reservation to the page read, and writes the answer item by
    /// item; the bytes are given back when the answer is written or the stream is cut off.
    /// </summary>
    private async Task FetchAsync(Libp2pStream stream, FetchRequest fetch, string peer, CancellationToken cancellationToken)
    {
        FetchQuery query;
        try
        {
            query = FetchQuery.FromProto(fetch);
        }
        catch (NnrpFormatException ex)
        {
            await AnswerAsync(stream, Refusal(StatusCode.BadForm, ex.Message), cancellationToken);
            return;
        }
        if (query.PrefixBits < _options.MinPrefixBits)
        {
            await AnswerAsync(stream, Refusal(StatusCode.OverCapacity, $"this node serves tag prefixes of at least {_options.MinPrefixBits} bits"), cancellationToken);
            return;
        }
        using FetchLease? lease = FetchBudget.TryReserve(stream.RemotePeer, FetchBudget.WorstCase(query.Limit));
        if (lease is null)
        {
            _logger.FetchBudgetSpent(peer);
            await AnswerAsync(stream, new Response
            {
                Status = StatusCode.OverCapacity,
                Message = "too many fetch answers in flight; read them or retry later",
                RetryAfterSeconds = FetchBudgetRetryAfterSeconds,
            }, cancellationToken);
            return;
        }
        EncodedPage page;
        try
        {
            // The stored bytes are the wire bytes: no decode and re-encode per item (docs/BENCHMARKS.md "Fetch").
            page = _store.FetchEncoded(query, (ulong)_time.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (NnrpFormatException ex)
        {
            await AnswerAsync(stream, Refusal(StatusCode.BadForm, ex.Message), cancellationToken);
            return;
        }
        catch (StoreUnavailableException ex)
        {
            _logger.StoreFailed(peer, ex.Message);
            await AnswerAsync(stream, Refusal(StatusCode.Internal, "the node's store failed"), cancellationToken);
            return;
        }
        using (page)
        {
            lease.ShrinkTo(FetchBudget.PageBytes(page));
            await NnrpCodec.WriteFetchAsync(stream.Output, page, page.NextCursor, _options.WriteStallTimeout, cancellationToken);
        }
        stream.CloseWrite();
        // The last flush returns while up to the send buffer (256 KiB) still waits for the
        // reader's window; the budget is held, and the reader cut off, until it has left.
        try
        {
            await stream.OutputFinished.WaitAsync(_options.WriteStallTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the reader left the end of the answer unread for {_options.WriteStallTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>§11.7: what this node is and holds right now.</summary>
    public StatusResponse Status()
    {
        var status = new StatusResponse
        {
            Agent = _options.Agent,
            ProtocolVersion = NnrpProtocol.Version,
            BaseThreshold = _gate.Policy.BaseThreshold,
            CurrentThreshold = _gate.CurrentThreshold,
            Stored = (ulong)Math.Max(0, _store.Statistics.Count),
            Now = (ulong)_time.GetUtcNow().ToUnixTimeSeconds(),
            MaxPayload = NotificationLimits.MaxPayload,
            MinTtl = NotificationLimits.MinTtl,
            MaxTtl = NotificationLimits.MaxTtl,
            MaxPage = FetchQuery.MaxLimit,
        };
        status.Shards.Add(_options.Shards);
        return status;
    }

    /// <summary>§11.6: the node's Ed25519 signature over "nnrp/receipt/1" ‖ hash ‖ expires_at:u64 BE.</summary>
    public StoreReceipt SignReceipt(NotificationHash hash, ulong expiresAt) => SignReceipt(HashBytes(hash), hash, expiresAt);

    /// <summary>
    /// The receipt for <paramref name="hash"/>, whose bytes the response already carries in
    /// <paramref name="hashBytes"/>: every publish answer signs one, so it allocates only the
    /// signature and the message (the signed 54 bytes live on the stack, the key is shared).
    /// </summary>
    private StoreReceipt SignReceipt(ByteString hashBytes, NotificationHash hash, ulong expiresAt)
    {
        // "nnrp/receipt/1" (14) ‖ hash (32) ‖ expires_at:u64 BE (8): 54 bytes.
        Span<byte> signed = stackalloc byte[StoreReceipts.Domain.Length + NotificationHash.Size + sizeof(ulong)];
        StoreReceipts.Domain.CopyTo(signed);
        hash.CopyTo(signed[StoreReceipts.Domain.Length..]);
        BinaryPrimitives.WriteUInt64BigEndian(signed[(StoreReceipts.Domain.Length + NotificationHash.Size)..], expiresAt);
        return new StoreReceipt
        {
            Hash = hashBytes,
            ExpiresAt = expiresAt,
            NodePublicKey = _publicKey,
            // The fresh signature array is never touched again, so the message may own it.
            Signature = UnsafeByteOperations.UnsafeWrap(_identity.Sign(signed)),
        };
    }

    private static ByteString HashBytes(NotificationHash hash) => UnsafeByteOperations.UnsafeWrap(hash.ToArray());

    private static Response Refusal(StatusCode status, string message) => new() { Status = status, Message = message };
}
