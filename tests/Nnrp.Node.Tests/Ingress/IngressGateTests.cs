using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Tests.Testing;
using static Nnrp.Node.Tests.Testing.Notifications;

namespace Nnrp.Node.Tests.Ingress;

/// <summary>Issue 6 item 2: the checks in order, each refusal with its reason and nothing stored.</summary>
public sealed class IngressGateTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly StoreFixture _f = new();
    private readonly ManualClock _clock = ManualClock.AtUnix(1_767_225_600);
    private IngressGate _gate = null!;

    public Task InitializeAsync()
    {
        _gate = new IngressGate(_f.Store, new IngressOptions { Policy = CheapPolicy }, _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gate.DisposeAsync();
        _f.Dispose();
    }

    private Notification Valid(RecipientTag? tag = null) => WithWorkValue(Make(tag, timestamp: _clock.UnixNow), CheapBase);

    private Task<Decision> Submit(Notification n) => _gate.SubmitAsync(n).WaitAsync(Limit);

    [Fact]
    public async Task Valid_notification_is_accepted_once_then_duplicate()
    {
        Notification n = Valid();
        Decision first = await Submit(n);
        Assert.Equal(DecisionStatus.Accepted, first.Status);
        Assert.Equal(n.Hash, first.Hash);
        Assert.Equal(n.ExpiresAt, first.ExpiresAt);
        Assert.True(_f.Store.Contains(n.Hash));
        Assert.Equal(DecisionStatus.Duplicate, (await Submit(n)).Status);
        Assert.Equal(DecisionStatus.Duplicate, (await Submit(n.WithWork(n.Work + 1))).Status);
        Assert.Equal(1, _f.Store.Statistics.Count);
    }

    [Fact]
    public async Task Concurrent_copies_of_one_notification_store_it_once()
    {
        Notification n = Valid();
        Decision[] results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Submit(n)));
        Assert.Single(results, r => r.Status == DecisionStatus.Accepted);
        Assert.Equal(19, results.Count(r => r.Status == DecisionStatus.Duplicate));
    }

    [Fact]
    public async Task Short_work_is_refused_with_the_threshold_needed()
    {
        Notification n = WithWorkValue(Make(timestamp: _clock.UnixNow), 0, CheapBase - 1);
        Decision r = await Submit(n);
        Assert.Equal(DecisionStatus.InsufficientWork, r.Status);
        Assert.Equal(CheapBase, r.RequiredThreshold);
        Assert.Equal(NotificationRule.InsufficientWork, r.Rule);
        Assert.Equal(0, _f.Store.Statistics.Count);
    }

    [Fact]
    public async Task Expired_and_future_notifications_are_refused_by_the_clock_window()
    {
        Notification expired = Make(timestamp: _clock.UnixNow - 120, ttl: 120);
        Notification future = Make(timestamp: _clock.UnixNow + 601);
        Notification edge = WithWorkValue(Make(timestamp: _clock.UnixNow + 600), CheapBase);
        Assert.Equal(DecisionStatus.Expired, (await Submit(expired)).Status);
        Assert.Equal(DecisionStatus.Future, (await Submit(future)).Status);
        Assert.Equal(DecisionStatus.Accepted, (await Submit(edge)).Status);
        Assert.Equal(1, _f.Store.Statistics.Count);
    }

    [Fact]
    public async Task Form_breaks_are_refused_as_bad_form_before_the_work_is_looked_at()
    {
        Notification wrongVersion = new(2, RandomTag(), (ulong)_clock.UnixNow, 3600, new byte[10], 0);
        Notification oversized = Make(timestamp: _clock.UnixNow, payloadSize: NotificationLimits.MaxPayload + 1);
        Notification shortTtl = Make(timestamp: _clock.UnixNow, ttl: 59);
        foreach (Notification n in new[] { wrongVersion, oversized, shortTtl })
        {
            Decision r = await Submit(n);
            Assert.Equal(DecisionStatus.BadForm, r.Status);
        }
        Assert.Equal(0, _f.Store.Statistics.Count);
    }

    [Fact]
    public async Task Garbage_bytes_are_refused_as_bad_form()
    {
        var random = new Random(6);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(0, i % 10 == 0 ? 5000 : 300)];
            random.NextBytes(bytes);
            Decision r = await _gate.SubmitEncodedAsync(bytes).WaitAsync(Limit);
            Assert.NotEqual(DecisionStatus.Accepted, r.Status);
            Assert.NotEqual(DecisionStatus.Internal, r.Status);
        }
        byte[] valid = NotificationProtobuf.Encode(Valid());
        for (int cut = 0; cut < valid.Length; cut += 7)
        {
            Decision r = await _gate.SubmitEncodedAsync(valid.AsMemory(0, cut)).WaitAsync(Limit);
            Assert.NotEqual(DecisionStatus.Accepted, r.Status);
        }
        Assert.Equal(0, _f.Store.Statistics.Count);
        Assert.Equal(DecisionStatus.Accepted, (await _gate.SubmitEncodedAsync(valid).WaitAsync(Limit)).Status);
    }

    [Fact]
    public async Task After_64_in_an_hour_a_tag_needs_more_work()
    {
        RecipientTag tag = RandomTag();
        for (int i = 0; i < 128; i++)
        {
            Notification n = WithWorkValue(Make(tag, timestamp: _clock.UnixNow), _gate.RequiredThresholdFor(tag));
            Assert.Equal(DecisionStatus.Accepted, (await Submit(n)).Status);
        }
        // n = 128: 2^((128 − 64) / 64) = twice the base.
        ulong doubled = Thresholds.FromMultiplier(2, CheapBase);
        Assert.Equal(doubled, _gate.RequiredThresholdFor(tag));
        Notification cheap = WithWorkValue(Make(tag, timestamp: _clock.UnixNow), CheapBase, doubled - 1);
        Decision refused = await Submit(cheap);
        Assert.Equal(DecisionStatus.InsufficientWork, refused.Status);
        Assert.Equal(doubled, refused.RequiredThreshold);
        Assert.Equal(CheapBase, _gate.RequiredThresholdFor(RandomTag()));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(CheapBase, _gate.RequiredThresholdFor(tag));
        Assert.Equal(DecisionStatus.Accepted, (await Submit(WithWorkValue(Make(tag, timestamp: _clock.UnixNow), CheapBase, doubled - 1))).Status);
    }

    [Fact]
    public async Task Accepted_listeners_hear_each_stored_notification_after_it_is_durable()
    {
        var heard = new TaskCompletionSource<Notification>(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate.AddAcceptedListener((n, _) => heard.TrySetResult(n));
        Notification n = Valid();
        await Submit(n);
        Notification got = await heard.Task.WaitAsync(Limit);
        Assert.Equal(n.Hash, got.Hash);
        Assert.True(_f.Store.Contains(n.Hash));
    }

    [Fact]
    public async Task Counts_per_reason_are_kept()
    {
        await Submit(Valid());
        await Submit(Make(timestamp: 0, ttl: 60));
        Assert.Equal(1, _gate.Count(DecisionStatus.Accepted));
        Assert.Equal(1, _gate.Count(DecisionStatus.Expired));
    }
}
