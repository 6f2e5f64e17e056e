using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Notification = Nnrp.Core.Notifications.Notification;

using Nnrp.Protocol.Receipts;

namespace Nnrp.Protocol.Requests;

/// <summary>
/// The client side of /nnrp/1.0 (NNRP.md §11), for the SDK, the CLI and tests: one stream per
/// request over a <see cref="Libp2pHost"/>. Answers are checked, not trusted: receipts must be
/// signed by the node that was asked, fetched notifications must match the query.
/// </summary>
public sealed class NnrpClient(Libp2pHost host, TimeSpan? timeout = null)
{
    private static readonly string[] Protocols = [NnrpProtocol.Id];

    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    public Task<PublishResult> PublishAsync(PeerId node, Notification notification, CancellationToken cancellationToken = default) =>
        PublishAsync(ct => host.NewStreamAsync(node, Protocols, ct), notification, cancellationToken);

    public Task<PublishResult> PublishAsync(Multiaddr node, Notification notification, CancellationToken cancellationToken = default) =>
        PublishAsync(ct => host.NewStreamAsync(node, Protocols, ct), notification, cancellationToken);

    public Task<NotificationPage> FetchAsync(PeerId node, FetchQuery query, CancellationToken cancellationToken = default) =>
        FetchAsync(ct => host.NewStreamAsync(node, Protocols, ct), ToProto(query), query, cancellationToken);

    public Task<NotificationPage> FetchAsync(Multiaddr node, FetchQuery query, CancellationToken cancellationToken = default) =>
        FetchAsync(ct => host.NewStreamAsync(node, Protocols, ct), ToProto(query), query, cancellationToken);

    /// <summary>Every page of <paramref name="query"/>, following next_cursor until it is empty.</summary>
    public async IAsyncEnumerable<Notification> FetchAllAsync(PeerId node, FetchQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        FetchRequest request = ToProto(query);
        while (true)
        {
            NotificationPage page = await FetchAsync(ct => host.NewStreamAsync(node, Protocols, ct), request, query, cancellationToken);
            foreach (Notification n in page.Notifications)
            {
                yield return n;
            }
            if (!page.HasMore)
            {
                yield break;
            }
            request.Cursor = ByteString.CopyFrom(page.NextCursor.Span);
        }
    }

    public Task<StatusResponse> StatusAsync(PeerId node, CancellationToken cancellationToken = default) =>
        StatusAsync(ct => host.NewStreamAsync(node, Protocols, ct), cancellationToken);

    public Task<StatusResponse> StatusAsync(Multiaddr node, CancellationToken cancellationToken = default) =>
        StatusAsync(ct => host.NewStreamAsync(node, Protocols, ct), cancellationToken);

    /// <summary>Writes one request on an open /nnrp/1.0 stream, closes the write side and reads the response.</summary>
    public static Task<Response> ExchangeAsync(Libp2pStream stream, Request request, CancellationToken cancellationToken) =>
        ExchangeAsync(stream, request, ReadResponse, cancellationToken);

    private static readonly Func<PipeReader, CancellationToken, ValueTask<Response>> ReadResponse =
        static (input, ct) => NnrpCodec.ReadResponseAsync(input, ct);

    private static readonly Func<PipeReader, CancellationToken, ValueTask<FetchReply>> ReadFetchReply =
        static (input, ct) => NnrpCodec.ReadFetchReplyAsync(input, ct);

    /// <summary>Writes <paramref name="request"/>, closes the write side and reads the answer with <paramref name="read"/>.</summary>
    private static async Task<T> ExchangeAsync<T>(Libp2pStream stream, Request request,
        Func<PipeReader, CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        FitPageToRelayLimit(request, stream.Connection);
        await NnrpCodec.WriteAsync(stream.Output, request, NnrpProtocol.MaxRequestSize, cancellationToken);
        stream.CloseWrite();
        return await read(stream.Input, cancellationToken);
    }

    /// <summary>Bytes a fetch answer's frame and non-item fields may take beside the items (NNRP.md §14.4).</summary>
    private const long LimitedPageOverhead = 16 * 1024;

    /// <summary>One notification in a fetch answer at most: its encoding plus the field's tag and length (§11.5: 2308).</summary>
    private const long MaxItemBytes = Nnrp.Core.Notifications.NotificationLimits.MaxEncodedSize + 4;

    /// <summary>
    /// NNRP.md §14.4: on a relayed connection capped at L bytes a page asks at most
    /// (L − 16 KiB) / 2308 notifications (each at most 2308 bytes on the wire, §11.5), so the
    /// relay does not reset the circuit mid-answer; the cursor brings the rest.
    /// </summary>
    private static void FitPageToRelayLimit(Request request, Connection connection)
    {
        if (request.Fetch is not { } fetch || connection.Limit?.Data is not long data)
        {
            return;
        }
        uint fits = (uint)Math.Clamp((data - LimitedPageOverhead) / MaxItemBytes, 1, Nnrp.Core.Notifications.FetchQuery.MaxLimit);
        uint asked = fetch.Limit == 0 ? (uint)Nnrp.Core.Notifications.FetchQuery.DefaultLimit : fetch.Limit;
        fetch.Limit = Math.Min(asked, fits);
    }

    private Task<(Response Response, PeerId Node)> RequestAsync(
        Func<CancellationToken, Task<Libp2pStream>> open, Request request, CancellationToken cancellationToken) =>
        RequestAsync(open, request, ReadResponse, cancellationToken);

    /// <summary>One request on a new stream, answered within the client's timeout.</summary>
    private async Task<(T Answer, PeerId Node)> RequestAsync<T>(Func<CancellationToken, Task<Libp2pStream>> open, Request request,
        Func<PipeReader, CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        Libp2pStream stream = await open(deadline.Token);
        await using (stream)
        {
            try
            {
                return (await ExchangeAsync(stream, request, read, deadline.Token), stream.RemotePeer);
            }
            catch
            {
                stream.Reset();
                throw;
            }
        }
    }

    private async Task<PublishResult> PublishAsync(Func<CancellationToken, Task<Libp2pStream>> open, Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var request = new Request { Publish = new PublishRequest { Notification = NotificationProtobuf.ToProto(notification) } };
        (Response response, PeerId node) = await RequestAsync(open, request, cancellationToken);
        StoreReceipt? receipt = response.Publish?.Receipt;
        VerifiedReceipt? verified = null;
        // §11.6: OK and DUPLICATE carry the receipt of the node asked, checked here once.
        if (response.Status is StatusCode.Ok or StatusCode.Duplicate
            && !ReceiptVerifier.TryVerify(receipt, notification, node, out verified, out string? error))
        {
            throw new NnrpWireException("the node accepted the notification without a valid receipt: " + error);
        }
        return new PublishResult(response.Status, response.Message, notification.Hash, receipt,
            response.RequiredThreshold, response.RetryAfterSeconds) { Verified = verified };
    }

    private async Task<NotificationPage> FetchAsync(
        Func<CancellationToken, Task<Libp2pStream>> open, FetchRequest fetch, FetchQuery query, CancellationToken cancellationToken)
    {
        (FetchReply answer, _) = await RequestAsync(open, new Request { Fetch = fetch }, ReadFetchReply, cancellationToken);
        if (answer.Response is not { } response)
        {
            // A canonical OK page: every item already passed FromProto's structural rules.
            CheckPage(answer.Notifications.Count, answer.NextCursor.Length, query);
            foreach (Notification n in answer.Notifications)
            {
                CheckMatches(n, query);
            }
            return new NotificationPage(answer.Notifications, answer.NextCursor);
        }
        ThrowIfRefused(response);
        if (response.Fetch is null)
        {
            throw new NnrpWireException("an OK fetch response carries no page");
        }
        CheckPage(response.Fetch.Notifications.Count, response.Fetch.NextCursor.Length, query);
        var page = new List<Notification>(response.Fetch.Notifications.Count);
        foreach (Core.Protocol.Notification message in response.Fetch.Notifications)
        {
            Notification n;
            try
            {
                n = NotificationProtobuf.FromProto(message);
            }
            catch (NnrpFormatException ex)
            {
                throw new NnrpWireException("the node returned a malformed notification: " + ex.Message, ex);
            }
            CheckMatches(n, query);
            page.Add(n);
        }
        return new NotificationPage(page, response.Fetch.NextCursor.ToByteArray());
    }

    private static void CheckPage(int count, int cursorLength, FetchQuery query)
    {
        if (count > query.Limit || cursorLength > FetchQuery.MaxCursorSize)
        {
            throw new NnrpWireException("the page breaks the limit or cursor size of the query");
        }
    }

    private static void CheckMatches(Notification n, FetchQuery query)
    {
        if (!query.Matches(n.RecipientTag) || n.Timestamp < query.Since)
        {
            throw new NnrpWireException("the node returned a notification outside the query");
        }
    }

    private async Task<StatusResponse> StatusAsync(Func<CancellationToken, Task<Libp2pStream>> open, CancellationToken cancellationToken)
    {
        (Response response, _) = await RequestAsync(open, new Request { Status = new StatusRequest() }, cancellationToken);
        ThrowIfRefused(response);
        return response.StatusInfo ?? throw new NnrpWireException("an OK status response carries no status");
    }

    private static void ThrowIfRefused(Response response)
    {
        if (response.Status != StatusCode.Ok)
        {
            throw new NnrpRefusedException(response.Status, response.Message, response.RetryAfterSeconds);
        }
    }

    /// <summary>The wire form of a validated query (§11.5).</summary>
    public static FetchRequest ToProto(FetchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = new FetchRequest { Since = query.Since, Limit = (uint)query.Limit, Cursor = ByteString.CopyFrom(query.Cursor.Span) };
        if (query.PrefixBits == FetchQuery.ExactBits)
        {
            request.RecipientTag = ByteString.CopyFrom(query.PrefixBytes.Span);
        }
        else
        {
            request.TagPrefix = new TagPrefix { Bits = (uint)query.PrefixBits, Prefix = ByteString.CopyFrom(query.PrefixBytes.Span) };
        }
        return request;
    }
}

/// <summary>The node's answer to a publish (§11.6).</summary>
public sealed record PublishResult(
    StatusCode Status, string Message, NotificationHash Hash, StoreReceipt? Receipt, ulong RequiredThreshold, uint RetryAfterSeconds)
{
    /// <summary>OK or DUPLICATE: the node holds it and <see cref="Receipt"/> proves so.</summary>
    public bool IsStored => Status is StatusCode.Ok or StatusCode.Duplicate;

    /// <summary>With OK and DUPLICATE: the receipt as checked (signature, hash, expiry, signed by the node asked).</summary>
    public VerifiedReceipt? Verified { get; init; }
}

/// <summary>The node answered a fetch or status request with a refusal (§11.4).</summary>
public sealed class NnrpRefusedException(StatusCode status, string message, uint retryAfterSeconds)
    : IOException($"the node refused: {status}: {message}")
{
    public StatusCode Status { get; } = status;

    public uint RetryAfterSeconds { get; } = retryAfterSeconds;
}
