using Microsoft.Extensions.Logging;
using Nnrp.Client.Network;
using Nnrp.Client.Work;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Core.Work;
using Nnrp.Protocol.Receipts;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Sending;

/// <summary>
/// Lands a notification on <see cref="SendOptions.Replicas"/> distinct nodes: that many
/// publishes run in parallel, each moving on to the next candidate when its node is down or
/// refuses, until enough nodes have returned a verified receipt or the candidates run out. A
/// node answering INSUFFICIENT_WORK gets the same notification again with work for the
/// threshold it named (the content hash does not change, so receipts from other nodes stay valid).
/// </summary>
internal sealed class Publisher(INodeTransport transport, IWorkSource workSource, ILogger logger)
{
    public async Task<SendResult> PublishAsync(
        Notification notification, IReadOnlyList<NodeAddress> candidates, SendOptions options, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        using var work = new SharedWork(notification, workSource, progress);
        await work.EnsureAsync(options.InitialThreshold, cancellationToken);

        var queue = new Queue<NodeAddress>(candidates.DistinctBy(c => c.Key));
        var receipts = new List<VerifiedReceipt>();
        var failures = new List<NodeFailure>();
        int inFlight = 0;

        async Task WorkerAsync()
        {
            while (true)
            {
                NodeAddress node;
                lock (queue)
                {
                    // Publishes still running count as pending receipts: a node is added only to
                    // replace one that failed, so the send lands on Replicas nodes, not more.
                    if (receipts.Count + inFlight >= options.Replicas || !queue.TryDequeue(out node!))
                    {
                        return;
                    }
                    inFlight++;
                }
                (VerifiedReceipt? receipt, string? failure) = await PublishToAsync(node, work, options, cancellationToken);
                lock (queue)
                {
                    inFlight--;
                    // Two addresses (two URLs, say) can lead to one node: only distinct signers count.
                    if (receipt is not null && receipts.Any(r => r.Node.Equals(receipt.Node)))
                    {
                        failure = $"same node ({receipt.Node}) as an earlier receipt";
                        receipt = null;
                    }
                    if (receipt is not null)
                    {
                        receipts.Add(receipt);
                    }
                    else
                    {
                        failures.Add(new NodeFailure(node, failure!));
                    }
                }
            }
        }

        int parallel = Math.Max(1, Math.Min(options.Replicas, queue.Count));
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => WorkerAsync()));
        return new SendResult(work.Current, receipts, failures, options.Replicas);
    }

    private async Task<(VerifiedReceipt? Receipt, string? Failure)> PublishToAsync(
        NodeAddress node, SharedWork work, SendOptions options, CancellationToken cancellationToken)
    {
        string? failure = null;
        for (int attempt = 1; attempt <= options.MaxAttemptsPerNode; attempt++)
        {
            Notification sent = work.Current;
            Log.Publishing(logger, sent.Hash.ToString(), node.ToString(), attempt);
            PublishReply reply;
            try
            {
                reply = await transport.PublishAsync(node, sent, cancellationToken);
            }
            catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failure = (e is Libp2p.ProtocolViolationException ? "bad answer: " : "unreachable: ") + e.Message;
                break;
            }
            if (reply.Status is StatusCode.Ok or StatusCode.Duplicate)
            {
                // Checked once: by the transport that read it (reply.Verified), else here.
                VerifiedReceipt? receipt = reply.Verified;
                string? error = null;
                if (receipt is null)
                {
                    ReceiptVerifier.TryVerify(reply.Receipt, sent, node.Peer, out receipt, out error);
                }
                else if (node.Peer is not null && !receipt.Node.Equals(node.Peer))
                {
                    error = $"the receipt is signed by {receipt.Node}, not by the node asked ({node.Peer})";
                    receipt = null;
                }
                if (receipt is not null)
                {
                    Log.Stored(logger, node.ToString(), sent.Hash.ToString(), receipt.ExpiresAt);
                    return (receipt, null);
                }
                failure = "invalid receipt: " + error;
                break;
            }
            if (reply.Status == StatusCode.InsufficientWork && reply.RequiredThreshold > 0 && !sent.MeetsThreshold(reply.RequiredThreshold))
            {
                double multiplier = Thresholds.ToMultiplier(reply.RequiredThreshold);
                if (multiplier > options.MaxMultiplier)
                {
                    failure = $"demands work ×{multiplier:0.#}, over the limit ×{options.MaxMultiplier:0.#}";
                    break;
                }
                Log.MoreWork(logger, node.ToString(), reply.RequiredThreshold);
                await work.EnsureAsync(reply.RequiredThreshold, cancellationToken);
                failure = $"refused: {reply.Status}: {reply.Message}";
                continue;
            }
            failure = $"refused: {reply.Status}: {reply.Message}";
            break;
        }
        Log.PublishFailed(logger, node.ToString(), failure!);
        return (null, failure);
    }

    /// <summary>
    /// The notification with the most work computed so far; one computation at a time, so two
    /// nodes asking for more work at once cost one search, not two.
    /// </summary>
    private sealed class SharedWork(Notification initial, IWorkSource source, IProgress<WorkProgress>? progress) : IDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private Notification _current = initial;

        public Notification Current => Volatile.Read(ref _current);

        public async Task EnsureAsync(ulong threshold, CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                Volatile.Write(ref _current, await PaymentNotifications.WithWorkAsync(_current, threshold, source, progress, cancellationToken));
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Dispose() => _lock.Dispose();
    }
}
