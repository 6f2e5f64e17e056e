namespace Nnrp.Simulation.Engine;

/// <summary>
/// The in-memory network's links: a one-way latency fixed per pair of nodes (uniform in
/// [<see cref="SimulationSettings.MinLatencyMs"/>, <see cref="SimulationSettings.MaxLatencyMs"/>],
/// drawn from a hash of the seed and the pair, so no N² table is kept) and an independent loss
/// per message. Every protocol here runs over TCP (libp2p, §14.1), so a lost packet is not a
/// lost message: TCP sends it again after its retransmission timeout (at least 200 ms, Linux's
/// minimum RTO, and twice the round trip; doubled on each further loss). A message to a node
/// that is offline is what fails: a churned node's process has stopped, so a dial to it is
/// refused after one round trip (<see cref="SimulationSettings.OfflineSilent"/> makes it wait
/// for the request timeout instead, as a vanished host would).
/// </summary>
internal sealed class Links(SimulationSettings settings, Random random)
{
    private readonly ulong _seed = (ulong)settings.Seed * 0x9E3779B97F4A7C15UL;
    private readonly long _minUs = settings.MinLatencyMs * 1000L;
    private readonly long _spanUs = (settings.MaxLatencyMs - settings.MinLatencyMs) * 1000L;

    /// <summary>One-way latency between nodes <paramref name="a"/> and <paramref name="b"/>, microseconds (the same both ways).</summary>
    public long Latency(int a, int b)
    {
        ulong lo = (ulong)Math.Min(a, b), hi = (ulong)Math.Max(a, b);
        ulong h = Mix(_seed ^ (lo << 32 | hi));
        return _minUs + (long)(h % (ulong)(_spanUs + 1));
    }

    /// <summary>A client (wallet) is a node's neighbour in the model: its link to node <paramref name="a"/> is that node's to a random peer.</summary>
    public long ClientLatency(int a) => _minUs + (long)(Mix(_seed ^ 0xC1C1C1C1UL ^ (ulong)a) % (ulong)(_spanUs + 1));

    /// <summary>Linux's minimum TCP retransmission timeout.</summary>
    public const long MinRtoUs = 200_000;

    /// <summary>The time one message takes from <paramref name="a"/> to <paramref name="b"/>: the latency plus a retransmission timeout per loss.</summary>
    public long Transit(int a, int b)
    {
        long latency = Latency(a, b);
        long transit = latency;
        long rto = Math.Max(MinRtoUs, 2 * 2 * latency);
        while (random.NextDouble() < settings.Loss)
        {
            transit += rto;
            rto *= 2;
        }
        return transit;
    }

    /// <summary>How long a request to an offline node takes to fail: a refused dial, or <paramref name="timeout"/> when hosts vanish silently.</summary>
    public long Refused(int a, int b, long timeout) => settings.OfflineSilent ? timeout : Math.Min(timeout, Transit(a, b) + Transit(b, a));

    /// <summary>The same for a wallet beside node <paramref name="origin"/> (its own node 1 ms away).</summary>
    public long ClientTransit(int origin, int node) => origin == node ? 1000 : Transit(origin, node);

    // splitmix64's finaliser: a cheap, well-mixed hash of the pair.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
