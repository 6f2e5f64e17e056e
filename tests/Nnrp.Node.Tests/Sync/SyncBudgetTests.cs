using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Nnrp.Protocol.Sync;
using static Nnrp.Node.Tests.Sync.SyncHarness;
using Notification = Nnrp.Core.Notifications.Notification;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Node.Tests.Sync;

/// <summary>
/// Issue 12 attack 7, NNRP.md §11.8.7: a responder reads at most its scan budget per request,
/// answers the rest of a range open (§11.8.4), serves one request per peer at a time, and stops
/// scanning when the peer goes.
/// </summary>
public sealed class SyncBudgetTests
{
    private static readonly SyncRange Everything = SyncRange.WithFingerprint(SyncBounds.Lowest, SyncBounds.Infinity, Fingerprint.Of([]));

    private static Request FullRange() => new() { Sync = new SyncRequest { Reconcile = new SyncReconcile { Ranges = { SyncWire.ToProto(Everything) } } } };

    [Fact]
    public void A_full_range_request_reads_at_most_the_budget_and_leaves_the_rest_open()
    {
        List<TimeKey> keys = RandomKeys(100_000);
        using var set = new CountingSyncSet(new MemorySyncSet(keys));
        SyncAnswer answer = SyncResponder.Answer(set, [Everything]);

        Assert.True(set.Read <= SyncLimits.MaxScanPerRequest, $"{set.Read} keys read");
        Assert.Equal(set.Read, answer.Scanned);
        Assert.Equal(1, answer.Answered);
        SyncRange open = answer.Ranges[^1];
        Assert.True(open.IsOpen);
        Assert.Equal(SyncBounds.Infinity, open.Upper);
        Assert.InRange(keys.Count(k => k < open.Lower), SyncLimits.MaxScanPerRequest / 2, SyncLimits.MaxScanPerRequest);
        Assert.Equal(SyncLimits.Buckets, answer.Ranges.Count);
        Assert.All(answer.Ranges.SkipLast(1), r => Assert.False(r.IsOpen));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30_000)]
    [InlineData(59_000)]
    public void Sessions_converge_across_many_budgeted_requests(int initiatorHolds)
    {
        List<TimeKey> keys = RandomKeys(60_000);
        var responder = new MemorySyncSet(keys);
        var initiator = new MemorySyncSet(keys.Take(initiatorHolds));
        using var counted = new CountingSyncSet(responder);
        var respond = Honest(counted);
        int requests = 0;
        long mostPerRequest = 0;
        var need = new HashSet<NotificationHash>();
        SyncSession session = new(initiator);
        for (int sessions = 0; sessions < 10 && !session.IsComplete; sessions++)
        {
            session = sessions == 0 ? session : SyncSession.Resume(initiator, session.Remaining);
            Run(session, request =>
            {
                counted.ResetCount();
                var answer = respond(request);
                requests++;
                mostPerRequest = Math.Max(mostPerRequest, counted.Read);
                return answer;
            });
            need.UnionWith(session.Need);
        }
        Assert.True(session.IsComplete);
        Assert.True(mostPerRequest <= SyncLimits.MaxScanPerRequest, $"{mostPerRequest} keys read for one request");
        Assert.True(requests > 1);
        Assert.Equal(keys.Skip(initiatorHolds).Select(k => k.Hash).Order(), need.Order());
    }

    [Fact]
    public void An_open_range_goes_out_with_a_zero_fingerprint_and_is_refused_in_requests()
    {
        SyncRange open = SyncRange.Open(SyncBounds.Lowest, SyncBounds.Infinity);
        Core.Protocol.SyncRange proto = SyncWire.ToProto(open);
        Assert.True(proto.Open);
        Assert.Equal(new byte[SyncLimits.FingerprintSize], proto.Fingerprint.ToByteArray());
        Assert.True(SyncWire.FromProto([proto], 1, 0, 0, allowOpen: true)[0].IsOpen);
        Assert.Throws<SyncProtocolException>(() => SyncWire.FromProto([proto], 1, 0, 0));
    }

    [Fact]
    public void An_open_range_that_is_not_the_tail_of_the_last_answered_range_ends_the_session()
    {
        var local = new MemorySyncSet(RandomKeys(100));
        var session = new SyncSession(local);
        SyncRange asked = session.NextRequest()![0];
        TimeKey middle = local.Items[50];
        Assert.Throws<SyncProtocolException>(() => session.Apply(1, [SyncRange.Open(asked.Lower, middle)]));
    }

    [Fact]
    public async Task A_second_peer_is_served_while_the_first_holds_a_slot()
    {
        using var fixture = new StoreFixture();
        using var set = new CountingSyncSet(new MemorySyncSet(RandomKeys(50_000)), holdFirstScan: true);
        var server = new SyncServer(fixture.Store, new SyncOptions { MaxConcurrentRequests = 2 }, set: set);
        string first = KeyPair.Generate().PeerId.ToString();
        string second = KeyPair.Generate().PeerId.ToString();

        Task<Response> held = server.HandleAsync(FullRange().Sync, first, CancellationToken.None);
        await set.EnteredAsync();
        // The same peer cannot take the other slot …
        Response[] more = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => server.HandleAsync(FullRange().Sync, first, CancellationToken.None)))
            .WaitAsync(NodeNetwork.Limit);
        Assert.All(more, r => Assert.Equal(StatusCode.RateLimited, r.Status));
        // … so another peer is served while the first one's scan is still held.
        Response other = await server.HandleAsync(FullRange().Sync, second, CancellationToken.None).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(StatusCode.Ok, other.Status);
        Assert.False(held.IsCompleted);

        set.Step(SyncLimits.MaxScanPerRequest / CountingSyncSet.Stride + 1);
        Assert.Equal(StatusCode.Ok, (await held.WaitAsync(NodeNetwork.Limit)).Status);
    }

    [Fact]
    public async Task A_request_waits_its_turn_for_a_busy_slot_instead_of_being_refused()
    {
        using var fixture = new StoreFixture();
        using var set = new CountingSyncSet(new MemorySyncSet(RandomKeys(5_000)), holdFirstScan: true);
        var server = new SyncServer(fixture.Store, new SyncOptions { MaxConcurrentRequests = 1 }, set: set);
        Task<Response> held = server.HandleAsync(FullRange().Sync, KeyPair.Generate().PeerId.ToString(), CancellationToken.None);
        await set.EnteredAsync();
        Task<Response> waiting = server.HandleAsync(FullRange().Sync, KeyPair.Generate().PeerId.ToString(), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        set.Step(100);
        Assert.Equal(StatusCode.Ok, (await held.WaitAsync(NodeNetwork.Limit)).Status);
        Assert.Equal(StatusCode.Ok, (await waiting.WaitAsync(NodeNetwork.Limit)).Status);
    }

    [Fact]
    public async Task A_scan_stops_when_the_request_token_fires()
    {
        using var fixture = new StoreFixture();
        using var set = new CountingSyncSet(new MemorySyncSet(RandomKeys(50_000)), holdFirstScan: true);
        var server = new SyncServer(fixture.Store, set: set);
        using var cancel = new CancellationTokenSource();
        Task<Response> request = server.HandleAsync(FullRange().Sync, KeyPair.Generate().PeerId.ToString(), cancel.Token);
        await set.EnteredAsync();
        await cancel.CancelAsync();
        set.Step(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(NodeNetwork.Limit));
        await set.FirstScanEnded.WaitAsync(NodeNetwork.Limit);
        Assert.True(set.ReadByFirstScan <= 2 * CountingSyncSet.Stride, $"{set.ReadByFirstScan} keys read after the cancel");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_scan_stops_when_the_peer_goes(bool resetStream)
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync();
        using var set = new CountingSyncSet(new MemorySyncSet(RandomKeys(50_000)), holdFirstScan: true);
        SyncServer.Attach(new SyncServer(net.Node.Store, set: set));
        Libp2pStream stream = await net.OpenStreamAsync();
        await NnrpCodec.WriteAsync(stream.Output, FullRange(), NnrpProtocol.MaxRequestSize, CancellationToken.None);
        if (!resetStream)
        {
            stream.CloseWrite();
        }
        await set.EnteredAsync();
        if (resetStream)
        {
            stream.Reset();          // gone before it even finished its side of the stream
        }
        else
        {
            await stream.Connection.CloseAsync();
        }
        await stream.DisposeAsync();
        // Let the scan go on one stride at a time, paced so the reset has time to reach the node:
        // with the peer gone it must stop within a stride or two, not read on to its budget.
        for (int i = 0; i < SyncLimits.MaxScanPerRequest / CountingSyncSet.Stride + 1 && !set.FirstScanEnded.IsCompleted; i++)
        {
            await Task.WhenAny(set.FirstScanEnded, Task.Delay(TimeSpan.FromMilliseconds(100)));
            set.Step(1);
        }
        await set.FirstScanEnded.WaitAsync(NodeNetwork.Limit);
        Assert.True(set.ReadByFirstScan < SyncLimits.MaxScanPerRequest / 2, $"{set.ReadByFirstScan} keys read though the peer went");
    }
}
