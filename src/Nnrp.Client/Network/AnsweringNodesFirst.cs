using Microsoft.Extensions.Logging;

namespace Nnrp.Client.Network;

/// <summary>
/// NNRP.md §14.2 "Verification", on the wallet's side: DHT provider records are claims, so
/// discovered providers are asked for their status (§11.7), all at once, each within
/// <see cref="StatusTimeout"/>; those that answer come first, in their discovered order, then
/// the rest (a slow node is tried last, not dropped). Records of peers that hold nothing —
/// Sybil squatters — thus end up behind every real node.
/// </summary>
internal sealed class AnsweringNodesFirst(INodeTransport transport, ILogger logger)
{
    /// <summary>How long one provider has to answer a status request.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Providers asked per discovery at most (and so the number looked up in the DHT).</summary>
    public const int MaxProbed = 16;

    public async Task<IReadOnlyList<NodeAddress>> OrderAsync(IReadOnlyList<NodeAddress> providers, CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeAddress> probed = providers.Take(MaxProbed).ToArray();
        bool[] answered = await Task.WhenAll(probed.Select(node => AnswersAsync(node, cancellationToken)));
        IEnumerable<NodeAddress> ordered = probed.Where((_, i) => answered[i]).Concat(probed.Where((_, i) => !answered[i]));
        Log.ProvidersProbed(logger, answered.Count(static a => a), probed.Count);
        return [.. ordered, .. providers.Skip(MaxProbed)];
    }

    private async Task<bool> AnswersAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StatusTimeout);
        try
        {
            await transport.StatusAsync(node, deadline.Token);
            return true;
        }
        catch (Exception e) when (e is IOException or TimeoutException or NodeRefusedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
