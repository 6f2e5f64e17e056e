namespace Nnrp.Simulation.Gossip;

/// <summary>
/// The mesh of one depth-8 topic (§14.3) among its subscribers, kept as the GossipSub v1.1
/// heartbeat keeps it: each member grafts up to D peers, no member takes more than D_hi, and a
/// member that falls below D_lo (a peer left) grafts again (constants from the production
/// <c>GossipSubOptions</c>). Members are slots 0..n−1; edges are symmetric.
/// </summary>
internal sealed class TopicMesh
{
    private readonly int _d, _dLow, _dHigh;
    private readonly int[] _adjacency;
    private readonly int[] _degree;
    private readonly Dictionary<int, int> _slotOf;

    public TopicMesh(int[] members, int d, int dLow, int dHigh)
    {
        Members = members;
        _d = d;
        _dLow = dLow;
        _dHigh = dHigh;
        _adjacency = new int[members.Length * dHigh];
        _degree = new int[members.Length];
        _slotOf = new Dictionary<int, int>(members.Length);
        for (int s = 0; s < members.Length; s++)
        {
            _slotOf[members[s]] = s;
        }
    }

    /// <summary>Node indexes of the topic's subscribers.</summary>
    public int[] Members { get; }

    public int SlotOf(int node) => _slotOf[node];

    public int Degree(int slot) => _degree[slot];

    public ReadOnlySpan<int> Neighbours(int slot) => _adjacency.AsSpan(slot * _dHigh, _degree[slot]);

    /// <summary>Grafts <paramref name="slot"/> to random online members until it has D (or none is left); returns the GRAFTs sent.</summary>
    public int Fill(int slot, Func<int, bool> online, Random random)
    {
        int grafts = 0;
        int attempts = 0;
        while (_degree[slot] < _d && attempts++ < 4 * _d + 8 && Members.Length > 1)
        {
            int other = random.Next(Members.Length);
            if (other == slot || _degree[other] >= _dHigh || !online(Members[other]) || Neighbours(slot).Contains(other))
            {
                continue;
            }
            _adjacency[(slot * _dHigh) + _degree[slot]++] = other;
            _adjacency[(other * _dHigh) + _degree[other]++] = slot;
            grafts++;
        }
        return grafts;
    }

    /// <summary>
    /// The member left: its edges go; every neighbour that drops below D_lo grafts again at its
    /// next heartbeat. Returns the neighbours that regrafted, with how many GRAFTs each sent.
    /// </summary>
    public List<(int Slot, int Grafts)> Leave(int slot, Func<int, bool> online, Random random)
    {
        var neighbours = Neighbours(slot).ToArray();
        _degree[slot] = 0;
        var regrafted = new List<(int, int)>();
        foreach (int n in neighbours)
        {
            Span<int> row = _adjacency.AsSpan(n * _dHigh, _degree[n]);
            int at = row.IndexOf(slot);
            row[at] = row[^1];
            _degree[n]--;
        }
        foreach (int n in neighbours)
        {
            if (_degree[n] < _dLow)
            {
                regrafted.Add((n, Fill(n, online, random)));
            }
        }
        return regrafted;
    }
}
