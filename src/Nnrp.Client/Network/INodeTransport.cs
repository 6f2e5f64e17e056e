using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Protocol.Receipts;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Network;

/// <summary>
/// One request to one node over <c>/nnrp/1.0</c> (NNRP.md §11). The SDK's send and fetch
/// logic (how many nodes, retries, merging) is written against this seam; the libp2p
/// implementation that speaks to real nodes comes with <see cref="WalletClient"/>.
/// </summary>
public interface INodeTransport
{
    /// <summary>Publishes a notification; refusals come back as a status, not an exception.</summary>
    /// <exception cref="IOException">the node could not be reached or answered malformed data.</exception>
    Task<PublishReply> PublishAsync(NodeAddress node, Notification notification, CancellationToken cancellationToken);

    /// <summary>One page of a fetch.</summary>
    /// <exception cref="NodeRefusedException">the node refused the query.</exception>
    /// <exception cref="IOException">the node could not be reached or answered malformed data.</exception>
    Task<FetchPage> FetchAsync(NodeAddress node, FetchQuery query, CancellationToken cancellationToken);

    /// <summary>The node's status (§11.7).</summary>
    /// <exception cref="IOException">the node could not be reached or answered malformed data.</exception>
    Task<StatusResponse> StatusAsync(NodeAddress node, CancellationToken cancellationToken);
}

/// <summary>A node's answer to a publish (§11.6).</summary>
/// <param name="Status">OK, DUPLICATE or a refusal (§11.4).</param>
/// <param name="Message">The node's human-readable reason.</param>
/// <param name="Receipt">The store receipt, with OK and DUPLICATE.</param>
/// <param name="RequiredThreshold">With INSUFFICIENT_WORK: the threshold the node demands.</param>
/// <param name="RetryAfterSeconds">With RATE_LIMITED / OVER_CAPACITY: a hint, 0 = none.</param>
public sealed record PublishReply(StatusCode Status, string Message, StoreReceipt? Receipt, ulong RequiredThreshold, uint RetryAfterSeconds)
{
    /// <summary>
    /// The receipt as a transport already checked it (the /nnrp/1.0 client verifies on the
    /// stream it published on), so the sender does not verify it twice; null: not yet checked.
    /// </summary>
    public VerifiedReceipt? Verified { get; init; }
}

/// <summary>One page of a fetch (§11.5).</summary>
/// <param name="Notifications">The page, as decoded (not yet verified or opened).</param>
/// <param name="NextCursor">Where the next page starts; empty when there are no more.</param>
public sealed record FetchPage(IReadOnlyList<Notification> Notifications, ReadOnlyMemory<byte> NextCursor)
{
    /// <summary>True when another page follows.</summary>
    public bool HasMore => !NextCursor.IsEmpty;
}

/// <summary>A node refused a fetch or status request (§11.4).</summary>
public sealed class NodeRefusedException : IOException
{
    /// <summary>A refusal with the node's status and message.</summary>
    public NodeRefusedException(StatusCode status, string message) : base($"the node refused: {status}: {message}") => Status = status;

    /// <summary>A refusal with its cause.</summary>
    public NodeRefusedException(StatusCode status, string message, Exception inner) : base($"the node refused: {status}: {message}", inner) => Status = status;

    /// <summary>The status code.</summary>
    public StatusCode Status { get; }
}

/// <summary>A node's answer broke the protocol (malformed, over a limit, outside the query): that node's fault.</summary>
public sealed class MalformedAnswerException : IOException
{
    /// <summary>An error with a message.</summary>
    public MalformedAnswerException(string message) : base(message) { }

    /// <summary>An error with a message and its cause.</summary>
    public MalformedAnswerException(string message, Exception inner) : base(message, inner) { }
}
