using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Shards;

namespace Nnrp.Simulation.Load;

/// <summary>One notification published during the measured window.</summary>
internal readonly record struct Arrival(long Time, int Recipient);

/// <summary>
/// The load: recipients with uniform tags (a tag is a hash, §9) and a Pareto-distributed rate,
/// the 90-day backlog that a network in steady state holds for them (what sets V, §8.2), and
/// the Poisson stream of notifications published during the run.
/// </summary>
internal sealed class Workload
{
    private const double HoursPer90Days = 90 * 24;

    /// <summary>Top 32 bits of each recipient's tag (b ≤ 16 needs no more), ascending.</summary>
    public uint[] Tags { get; }

    /// <summary>Notifications per 90 days, per recipient.</summary>
    public double[] Rates { get; }

    /// <summary>Encoded bytes of one notification, from the real codec.</summary>
    public int NotificationBytes { get; }

    /// <summary>Bytes of live notifications in the whole tag space (V, §8.2).</summary>
    public double Volume { get; }

    public List<Arrival> Arrivals { get; } = [];

    private readonly double[] _backlogPrefix;

    public Workload(SimulationSettings settings, Random random)
    {
        int recipients = settings.Nodes * settings.RecipientsPerNode;
        NotificationBytes = EncodedSize(settings.PayloadBytes);
        Tags = new uint[recipients];
        for (int r = 0; r < recipients; r++)
        {
            Tags[r] = (uint)random.NextInt64(0, 1L << 32);
        }
        Array.Sort(Tags);
        // Pareto(x_m, α): mean α x_m / (α − 1), so x_m = mean (α − 1) / α.
        double shape = settings.RateParetoShape;
        double scale = settings.MeanNotificationsPer90Days * (shape - 1) / shape;
        Rates = new double[recipients];
        _backlogPrefix = new double[recipients + 1];
        for (int r = 0; r < recipients; r++)
        {
            Rates[r] = Math.Min(settings.MaxNotificationsPer90Days, scale / Math.Pow(1 - random.NextDouble(), 1 / shape));
            _backlogPrefix[r + 1] = _backlogPrefix[r] + Rates[r] * NotificationBytes;
        }
        Volume = _backlogPrefix[recipients];
        MakeArrivals(settings, random);
    }

    public static ushort Top16(uint tag) => (ushort)(tag >> 16);

    public static int Topic(uint tag) => (int)(tag >> 24);

    /// <summary>Backlog bytes of the tags shard (b, i) covers (binary search over the sorted tags).</summary>
    public double BacklogBytes(ShardId shard)
    {
        if (shard.Bits == 0)
        {
            return Volume;
        }
        long lo = (long)shard.Index << (32 - shard.Bits);
        long hi = lo + (1L << (32 - shard.Bits));
        return _backlogPrefix[LowerBound(hi)] - _backlogPrefix[LowerBound(lo)];
    }

    private int LowerBound(long value)
    {
        int lo = 0, hi = Tags.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Tags[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private void MakeArrivals(SimulationSettings settings, Random random)
    {
        var cumulative = new double[Rates.Length];
        double sum = 0;
        for (int r = 0; r < Rates.Length; r++)
        {
            sum += Rates[r];
            cumulative[r] = sum;
        }
        double perUs = sum / HoursPer90Days / 3.6e9;
        long end = (long)settings.Duration.TotalMicroseconds;
        double t = 0;
        while (true)
        {
            t += -Math.Log(1 - random.NextDouble()) / perUs;
            if (t >= end)
            {
                break;
            }
            int r = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            Arrivals.Add(new Arrival((long)t, Math.Min(r < 0 ? ~r : r, Rates.Length - 1)));
        }
    }

    /// <summary>The protobuf size of a notification with a payload of <paramref name="payloadBytes"/> (§3.4), as the store and gossip carry it.</summary>
    private static int EncodedSize(int payloadBytes)
    {
        var tag = RecipientTag.FromBytes(new byte[32]);
        var notification = new Notification(1, tag, 1_765_000_000, 7_776_000, new byte[payloadBytes], ulong.MaxValue);
        return NotificationProtobuf.Encode(notification).Length;
    }
}
