using Nnrp.Node.Shards;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;

namespace Nnrp.Simulation.Sync;

/// <summary>
/// What a session spends on history both sides already hold (the backlog before the window,
/// which the simulation does not itemise): measured once per run by the production
/// <see cref="SyncSession"/> against <see cref="SyncResponder"/> over two equal sets of
/// <see cref="SampleItems"/> items, then charged per session as ⌈n / 12 288⌉ such rounds
/// (§11.8.3), within the session's round budget (§11.8.4).
/// </summary>
internal sealed class ConvergedHistory
{
    /// <summary>Three requests' worth of items: enough for the per-round figure, cheap to hash.</summary>
    private const int SampleItems = 3 * SyncLimits.InitiatorItemsPerRequest;

    public ConvergedHistory(Random random)
    {
        var keys = new List<TimeKey>(SampleItems);
        var hash = new byte[32];
        for (int i = 0; i < SampleItems; i++)
        {
            random.NextBytes(hash);
            keys.Add(new TimeKey(1_700_000_000 + (ulong)(i / 3), Core.Notifications.NotificationHash.FromBytes(hash)));
        }
        var set = new MemorySyncSet(keys);
        var session = new SyncSession(set);
        int rounds = 0;
        long request = 0, answer = 0;
        while (session.NextRequest() is { } ranges)
        {
            SyncAnswer a = SyncResponder.Answer(set, ranges);
            request += SyncWireSize.Reconcile(ranges, new ShardId(8, 0));
            answer += SyncWireSize.Answer(a);
            session.Apply(a.Answered, a.Ranges);
            rounds++;
        }
        if (!session.IsComplete || session.Need.Count + session.Offer.Count > 0)
        {
            throw new InvalidOperationException("equal sets did not settle");
        }
        RequestBytesPerRound = (double)request / rounds;
        AnswerBytesPerRound = (double)answer / rounds;
    }

    public double RequestBytesPerRound { get; }

    public double AnswerBytesPerRound { get; }

    /// <summary>Rounds a session spends on <paramref name="items"/> converged items, with <paramref name="roundsLeft"/> left in its budget.</summary>
    public static int Rounds(double items, int roundsLeft) =>
        (int)Math.Min(Math.Max(0, roundsLeft), Math.Ceiling(items / SyncLimits.InitiatorItemsPerRequest));
}
