using System.Diagnostics;
using System.Globalization;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Benchmarks.Node;

/// <summary>
/// Client fetch paths timed side by side against one node, round by round (the machine is
/// shared, so only ratios measured in one run mean anything): every round fetches the
/// mailbox once per path, the order rotating each round, and each mailbox's node CPU and
/// allocation and the client's allocation and collections are charged to its path.
/// </summary>
internal static class FetchPathComparison
{
    /// <summary>One way of fetching a page.</summary>
    public sealed record FetchPath(string Name, Func<FetchQuery, Task<NotificationPage>> Fetch);

    /// <summary>What one path's timed mailboxes took.</summary>
    public sealed class Figures(string name)
    {
        public string Name { get; } = name;
        public List<double> Mailbox { get; } = [];
        public List<double> Pages { get; } = [];
        public double NodeCpuMicros { get; set; }
        public long NodeAllocated { get; set; }
        public long ClientAllocated { get; set; }
        public int[] ClientCollections { get; } = new int[3];

        public double Percentile(double p) => Sorted(Mailbox)[Math.Min(Mailbox.Count - 1, (int)(p * Mailbox.Count))];

        public double PageMedian => Sorted(Pages)[Pages.Count / 2];

        private static List<double> Sorted(List<double> values) => values.Order().ToList();
    }

    /// <summary>
    /// The client's path before issue 13's fetch work, kept for the comparison only: the
    /// generic protobuf parse of the whole answer (a message and two <c>ByteString</c>s per
    /// item), then <c>NotificationProtobuf.FromProto</c> copying each payload again.
    /// </summary>
    public static async Task<NotificationPage> ProtobufFetchAsync(Libp2pHost host, PeerId node, FetchQuery query)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Libp2pStream stream = await host.NewStreamAsync(node, [NnrpProtocol.Id], deadline.Token);
        await using (stream)
        {
            Response response = await NnrpClient.ExchangeAsync(stream, new Request { Fetch = NnrpClient.ToProto(query) }, deadline.Token);
            FetchResponse fetch = response.Fetch ?? throw new InvalidOperationException("no page: " + response.Status);
            var page = new List<Notification>(fetch.Notifications.Count);
            foreach (Nnrp.Core.Protocol.Notification message in fetch.Notifications)
            {
                Notification n = NotificationProtobuf.FromProto(message);
                if (!query.Matches(n.RecipientTag) || n.Timestamp < query.Since)
                {
                    throw new InvalidOperationException("a notification outside the query");
                }
                page.Add(n);
            }
            return new NotificationPage(page, fetch.NextCursor.ToByteArray());
        }
    }

    /// <summary>
    /// Warms every path until the JIT of both processes is quiet (<see cref="JitWarmUp"/>), then
    /// times <paramref name="rounds"/> rounds of a <paramref name="mailboxSize"/>-item mailbox
    /// as two full pages per path.
    /// </summary>
    public static async Task<(Figures[] Figures, JitWarmUp.Result WarmUp)> RunAsync(NodeChild node, RecipientTag tag, IReadOnlyList<FetchPath> paths, int rounds, int mailboxSize)
    {
        Figures[] figures = paths.Select(p => new Figures(p.Name)).ToArray();
        int warm = 0;
        JitWarmUp.Result warmUp = await JitWarmUp.UntilQuietAsync(node, async () =>
        {
            double slowest = 0;
            warm++;
            for (int k = 0; k < paths.Count; k++)
            {
                FetchPath path = paths[(warm + k) % paths.Count];
                slowest = Math.Max(slowest, await JitWarmUp.TimeAsync(() => FetchMailboxAsync(path, tag, mailboxSize)));
            }
            return slowest;
        });
        for (int i = 0; i < rounds; i++)
        {
            for (int k = 0; k < paths.Count; k++)
            {
                int which = (i + k) % paths.Count;
                double cpuBefore = await AskDoubleAsync(node, "cpu");
                long allocatedBefore = (long)await AskDoubleAsync(node, "allocated");
                long clientBefore = GC.GetTotalAllocatedBytes(precise: true);
                int[] gcBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

                var t = Stopwatch.StartNew();
                double page = await FetchMailboxAsync(paths[which], tag, mailboxSize, t);
                double mailbox = t.Elapsed.TotalMilliseconds;

                Figures f = figures[which];
                f.Mailbox.Add(mailbox);
                f.Pages.Add(page);
                f.ClientAllocated += GC.GetTotalAllocatedBytes(precise: true) - clientBefore;
                for (int g = 0; g < 3; g++)
                {
                    f.ClientCollections[g] += GC.CollectionCount(g) - gcBefore[g];
                }
                f.NodeCpuMicros += await AskDoubleAsync(node, "cpu") - cpuBefore;
                f.NodeAllocated += (long)await AskDoubleAsync(node, "allocated") - allocatedBefore;
            }
        }
        return (figures, warmUp);
    }

    /// <summary>The mailbox as two full pages; returns when the first page was in (ms on <paramref name="clock"/>).</summary>
    private static async Task<double> FetchMailboxAsync(FetchPath path, RecipientTag tag, int mailboxSize, Stopwatch? clock = null)
    {
        NotificationPage first = await path.Fetch(FetchQuery.ForTag(tag, limit: FetchQuery.MaxLimit));
        double page = clock?.Elapsed.TotalMilliseconds ?? 0;
        NotificationPage second = await path.Fetch(FetchQuery.ForTag(tag, limit: FetchQuery.MaxLimit, cursor: first.NextCursor));
        if (first.Notifications.Count + second.Notifications.Count != mailboxSize)
        {
            throw new InvalidOperationException($"{path.Name}: the mailbox did not come back whole");
        }
        return page;
    }

    private static async Task<double> AskDoubleAsync(NodeChild node, string what) =>
        double.Parse(await node.AskAsync(what, what), CultureInfo.InvariantCulture);
}
