namespace Nnrp.Simulation.Engine;

/// <summary>What the bytes were for.</summary>
internal enum TrafficKind
{
    /// <summary>GossipSub: messages, IHAVE/IWANT/IDONTWANT, GRAFT/PRUNE.</summary>
    Gossip,

    /// <summary>Set reconciliation (§11.8) and the items it moves.</summary>
    Sync,

    /// <summary>Kad-DHT requests and answers.</summary>
    Dht,

    /// <summary>/nnrp/1.0 publish, fetch and status between wallets and nodes.</summary>
    Client,
}

/// <summary>Bytes sent and received per node and kind. A wallet is no node: its side is not counted.</summary>
internal sealed class Traffic
{
    public const int Kinds = 4;
    private readonly double[][] _sent = new double[Kinds][];
    private readonly double[][] _received = new double[Kinds][];

    public Traffic(int nodes)
    {
        for (int k = 0; k < Kinds; k++)
        {
            _sent[k] = new double[nodes];
            _received[k] = new double[nodes];
        }
    }

    /// <summary>Bytes from <paramref name="from"/> to <paramref name="to"/> (−1: a wallet), weighted for sampled traces.</summary>
    public void Add(TrafficKind kind, int from, int to, double bytes)
    {
        if (from >= 0)
        {
            _sent[(int)kind][from] += bytes;
        }
        if (to >= 0)
        {
            _received[(int)kind][to] += bytes;
        }
    }

    public double Total(TrafficKind kind, int node) => _sent[(int)kind][node] + _received[(int)kind][node];

    public double Total(int node)
    {
        double sum = 0;
        for (int k = 0; k < Kinds; k++)
        {
            sum += _sent[k][node] + _received[k][node];
        }
        return sum;
    }

    /// <summary>Forgets everything counted so far (the setup phase is not measured).</summary>
    public void Reset()
    {
        for (int k = 0; k < Kinds; k++)
        {
            Array.Clear(_sent[k]);
            Array.Clear(_received[k]);
        }
    }
}
