using Nnrp.Protocol.Requests;

namespace Nnrp.Node.Decisions;

/// <summary>
/// The façade's answer to a fetch (NNRP.md §11.5): its <see cref="Decision"/> and, when
/// accepted, the page with its bytes held in the node's fetch budget until the door has written
/// it (or cut the reader off) and disposes the answer.
/// </summary>
public sealed class FetchAnswer : IDisposable
{
    private readonly FetchLease? _lease;

    internal FetchAnswer(Decision decision, NotificationPage? page = null, FetchLease? lease = null, EncodedPage? encoded = null)
    {
        Decision = decision;
        Page = page;
        Encoded = encoded;
        _lease = lease;
    }

    /// <summary>The page as stored bytes (<see cref="NnrpNode.FetchEncoded"/>); released with the answer.</summary>
    public EncodedPage? Encoded { get; }

    public Decision Decision { get; }

    /// <summary>The page, with <see cref="DecisionStatus.Accepted"/> only.</summary>
    public NotificationPage? Page { get; }

    /// <summary>Gives the page's bytes back to the fetch budget.</summary>
    public void Dispose()
    {
        Encoded?.Dispose();
        _lease?.Dispose();
    }
}
