using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nnrp.Client.Network;
using Nnrp.Core;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;

namespace Nnrp.Client.Mailbox;

/// <summary>
/// Reads one mailbox from several nodes: <see cref="FetchOptions.Nodes"/> nodes in parallel,
/// each paged through to the end by cursor, a failed node replaced by the next candidate; then
/// everything is merged and opened (<see cref="MailboxOpener"/>). Asking several nodes is what
/// makes a fetch complete when one node lost data, and means no single node sees every read.
/// </summary>
internal sealed class MailboxFetcher(INodeTransport transport, ILogger logger)
{
    public async Task<FetchResult> FetchAsync(
        NotificationKeyPair key, IReadOnlyList<NodeAddress> candidates, FetchOptions options, FetchCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        ulong since = Math.Max(options.Since, checkpoint.Since);
        var queue = new Queue<NodeAddress>(candidates.DistinctBy(c => c.Key));
        var fetched = new List<FetchedNotification>();
        var reports = new List<NodeFetchReport>();
        int complete = 0;
        int inFlight = 0;

        async Task WorkerAsync()
        {
            while (true)
            {
                NodeAddress node;
                lock (queue)
                {
                    // Reads still running count as pending answers: a node is added only to
                    // replace one that failed, so Nodes nodes are read, not more.
                    if (complete + inFlight >= options.Nodes || !queue.TryDequeue(out node!))
                    {
                        return;
                    }
                    inFlight++;
                }
                (List<FetchedNotification> items, NodeFetchReport report) = await FetchFromAsync(node, key.Tag, since, options, cancellationToken);
                lock (queue)
                {
                    inFlight--;
                    reports.Add(report);
                    if (report.Complete)
                    {
                        complete++;
                        fetched.AddRange(items);
                    }
                }
            }
        }

        int parallel = Math.Max(1, Math.Min(options.Nodes, queue.Count));
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => WorkerAsync()));
        MailboxContents contents = MailboxOpener.Open(fetched, key, options.MinimumWork, checkpoint.Seen);
        FetchCheckpoint next = complete > 0 ? checkpoint.Advance(contents, started) : checkpoint;
        int target = Math.Min(options.MinNodes, options.Nodes);
        if (complete < target)
        {
            Log.FewFetchHolders(logger, complete, target);
        }
        return new FetchResult(contents, reports, next) { Target = target };
    }

    private async Task<(List<FetchedNotification> Items, NodeFetchReport Report)> FetchFromAsync(
        NodeAddress node, RecipientTag tag, ulong since, FetchOptions options, CancellationToken cancellationToken)
    {
        var items = new List<FetchedNotification>();
        int bits = options.PrefixBits;
        int pages = 0;
        ReadOnlyMemory<byte> cursor = ReadOnlyMemory<byte>.Empty;
        while (true)
        {
            FetchPage page;
            try
            {
                page = await transport.FetchAsync(node, Query(tag, bits, since, options.PageSize, cursor), cancellationToken);
            }
            catch (NodeRefusedException e) when (e.Status == StatusCode.OverCapacity && bits < FetchQuery.ExactBits && pages == 0)
            {
                int narrower = Math.Min(FetchQuery.ExactBits, bits + 8);
                Log.NarrowingPrefix(logger, node.ToString(), bits, narrower);
                bits = narrower;
                continue;
            }
            catch (Exception e) when (e is IOException or TimeoutException or NnrpException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Log.FetchFailed(logger, node.ToString(), e.Message);
                return (items, new NodeFetchReport(node, items.Count, pages, bits, e.Message));
            }
            pages++;
            items.AddRange(page.Notifications.Select(n => new FetchedNotification(n, node.Peer?.ToString() ?? node.ToString())));
            if (!page.HasMore)
            {
                Log.Fetched(logger, node.ToString(), items.Count, pages);
                return (items, new NodeFetchReport(node, items.Count, pages, bits, null));
            }
            if (pages >= options.MaxPagesPerNode)
            {
                string error = $"still more after {pages} pages; stopped";
                Log.FetchFailed(logger, node.ToString(), error);
                return (items, new NodeFetchReport(node, items.Count, pages, bits, error));
            }
            cursor = page.NextCursor;
        }
    }

    /// <summary>The §11.5 query for the top <paramref name="bits"/> bits of <paramref name="tag"/>.</summary>
    internal static FetchQuery Query(RecipientTag tag, int bits, ulong since, int limit, ReadOnlyMemory<byte> cursor)
    {
        if (bits >= FetchQuery.ExactBits)
        {
            return FetchQuery.ForTag(tag, since, limit, cursor);
        }
        byte[] prefix = tag.ToArray()[..((bits + 7) / 8)];
        if (bits % 8 != 0)
        {
            // §11.5: the unused low bits of the last prefix byte are zero.
            prefix[^1] &= (byte)(0xff << (8 - (bits % 8)));
        }
        var request = new FetchRequest
        {
            TagPrefix = new TagPrefix { Bits = (uint)bits, Prefix = ByteString.CopyFrom(prefix) },
            Since = since,
            Limit = (uint)limit,
            Cursor = ByteString.CopyFrom(cursor.Span),
        };
        return FetchQuery.FromProto(request);
    }
}
