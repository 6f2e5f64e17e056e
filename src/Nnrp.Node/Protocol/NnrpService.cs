using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p;
using Nnrp.Libp2p.Host;
using Nnrp.Node.Decisions;
using Nnrp.Node.Storage;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Protocol;

/// <summary>
/// The node side of /nnrp/1.0 (NNRP.md §11): one request per stream, answered with one
/// response. An adapter of the node's façade: the peer is admitted by its rate rule, the
/// request goes to <see cref="NnrpNode"/> (publish, fetch, status) or the sync responder, and
/// every <see cref="Decision"/> becomes a response through one table, <see cref="Answer"/>.
/// </summary>
public sealed class NnrpService
{
    private readonly NnrpNode _node;
    private readonly NnrpServiceOptions _options;
    private readonly ILogger _logger;

    public NnrpService(NnrpNode node, NnrpServiceOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _options = options ?? new NnrpServiceOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    public NnrpServiceOptions Options => _options;

    /// <summary>
    /// The /nnrp/1.0 table (NNRP.md §11.4): a decision's status code; with it the message
    /// (an INTERNAL one names only that the store failed — the store's text stays in the log),
    /// required_threshold with INSUFFICIENT_WORK and OVER_CAPACITY, retry_after_seconds with
    /// RATE_LIMITED and OVER_CAPACITY.
    /// </summary>
    public static Response Answer(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        StatusCode status = decision.Status switch
        {
            DecisionStatus.Accepted => StatusCode.Ok,
            DecisionStatus.Duplicate => StatusCode.Duplicate,
            DecisionStatus.BadForm => StatusCode.BadForm,
            DecisionStatus.InsufficientWork => StatusCode.InsufficientWork,
            DecisionStatus.Expired => StatusCode.Expired,
            DecisionStatus.Future => StatusCode.Future,
            DecisionStatus.OverCapacity => StatusCode.OverCapacity,
            DecisionStatus.RateLimited => StatusCode.RateLimited,
            DecisionStatus.WrongShard => StatusCode.WrongShard,
            _ => StatusCode.Internal,
        };
        var response = new Response { Status = status, Message = status == StatusCode.Internal ? "the node's store failed" : decision.Message };
        if (decision.Status is DecisionStatus.InsufficientWork or DecisionStatus.OverCapacity && decision.RequiredThreshold != 0)
        {
            response.RequiredThreshold = decision.RequiredThreshold;
        }
        if (decision.Status is DecisionStatus.RateLimited or DecisionStatus.OverCapacity && decision.RetryAfterSeconds != 0)
        {
            response.RetryAfterSeconds = decision.RetryAfterSeconds;
        }
        return response;
    }

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
            Decision admitted = _node.Admit(Origin.Peer(stream.RemotePeer));
            if (admitted.Status == DecisionStatus.RateLimited)
            {
                _logger.RateLimited(peer);
                await AnswerAsync(stream, Answer(admitted), deadline.Token);
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
                await AnswerAsync(stream, Answer(Decision.BadForm(ex.Message)), deadline.Token);
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
                    response = await HandleAsync(request, stream, deadline.Token);
                }
                finally
                {
                    await answered.CancelAsync();
                    await watch;
                }
            }
            else
            {
                response = await HandleAsync(request, stream, deadline.Token);
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
    private async Task<Response> HandleAsync(Request request, Libp2pStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string peer = stream.RemotePeer.ToString();
        try
        {
            return request.BodyCase switch
            {
                Request.BodyOneofCase.Publish => await PublishAsync(request.Publish, stream, cancellationToken),
                Request.BodyOneofCase.Status => new Response { Status = StatusCode.Ok, StatusInfo = _node.Status() },
                Request.BodyOneofCase.Sync => await SyncAsync(request.Sync, stream, cancellationToken),
                _ => Answer(Decision.BadForm("the request names no publish, fetch or status")),
            };
        }
        catch (StoreUnavailableException ex)
        {
            _logger.StoreFailed(peer, ex.Message);
            return Answer(Decision.Internal(ex.Message));
        }
    }

    /// <summary>§11.8.7: a sync request is admitted by the sync rule as well, then answered by the responder.</summary>
    private async Task<Response> SyncAsync(SyncRequest sync, Libp2pStream stream, CancellationToken cancellationToken)
    {
        Decision admitted = _node.Admit(Origin.SyncPeer(stream.RemotePeer));
        if (admitted.Status == DecisionStatus.RateLimited)
        {
            _logger.RateLimited(stream.RemotePeer.ToString());
            return Answer(admitted);
        }
        return await _node.SyncServer.HandleAsync(sync, stream.RemotePeer.ToString(), cancellationToken);
    }

    private async Task<Response> PublishAsync(PublishRequest publish, Libp2pStream stream, CancellationToken cancellationToken)
    {
        Decision decision = await _node.PublishAsync(publish.Notification, Origin.Peer(stream.RemotePeer), cancellationToken);
        Response response = Answer(decision);
        if (decision.Hash is { } hash)
        {
            // §11.6: DUPLICATE still returns hash and receipt.
            response.Publish = decision.Receipt is { } receipt
                ? new PublishResponse { Hash = receipt.Hash, Receipt = receipt }
                : new PublishResponse { Hash = UnsafeByteOperations.UnsafeWrap(hash.ToArray()) };
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
            await AnswerAsync(stream, Answer(Decision.BadForm(ex.Message)), cancellationToken);
            return;
        }
        using FetchAnswer answer = _node.FetchEncoded(query, Origin.Peer(stream.RemotePeer));
        if (answer.Encoded is not { } page)
        {
            if (answer.Decision.RetryAfterSeconds != 0)
            {
                _logger.FetchBudgetSpent(peer);
            }
            else if (answer.Decision.Status == DecisionStatus.Internal)
            {
                _logger.StoreFailed(peer, answer.Decision.Message);
            }
            await AnswerAsync(stream, Answer(answer.Decision), cancellationToken);
            return;
        }
        await NnrpCodec.WriteFetchAsync(stream.Output, page, page.NextCursor, _options.WriteStallTimeout, cancellationToken);
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
}
