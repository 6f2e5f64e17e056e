using Microsoft.Extensions.Logging;
using Nnrp.Core.Protocol;

namespace Nnrp.Client.Network;

/// <summary>
/// NNRP.md §8.4 and §14.2 "Verification" on the wallet's side: candidates are asked for their
/// status (§11.7) all at once, each within <see cref="StatusTimeout"/>, at most
/// <see cref="MaxProbed"/> per call. A DHT provider record is a claim; the status says what the
/// node holds (its shards) and that it answers at all.
/// </summary>
internal sealed class StatusProbe(INodeTransport transport, ILogger logger)
{
    /// <summary>How long one node has to answer a status request.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Nodes asked per call at most (and so the providers taken from one DHT lookup).</summary>
    public const int MaxProbed = 16;

    /// <summary>Each node's status, or null when it did not answer in time (or refused); nodes beyond <see cref="MaxProbed"/> are not asked.</summary>
    public async Task<IReadOnlyList<(NodeAddress Node, StatusResponse? Status)>> ProbeAsync(IReadOnlyList<NodeAddress> nodes, CancellationToken cancellationToken)
    {
        NodeAddress[] probed = nodes.Take(MaxProbed).ToArray();
        StatusResponse?[] statuses = await Task.WhenAll(probed.Select(node => StatusAsync(node, cancellationToken)));
        Log.StatusProbed(logger, statuses.Count(static s => s is not null), probed.Length);
        return probed.Select((node, i) => (node, statuses[i])).ToArray();
    }

    private async Task<StatusResponse?> StatusAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StatusTimeout);
        try
        {
            return await transport.StatusAsync(node, deadline.Token);
        }
        catch (Exception e) when (e is IOException or TimeoutException or Core.NnrpException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }
}
