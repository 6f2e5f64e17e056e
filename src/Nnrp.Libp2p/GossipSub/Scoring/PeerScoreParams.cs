using System.Net;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Scoring;

/// <summary>
/// gossipsub-v1.1.md "The Score Function" and "Score Parameters" (peer-wide part):
/// <c>score = TopicCap(Σ tᵢ·(w₁P₁ + w₂P₂ + w₃P₃ + w₃ᵦP₃ᵦ + w₄P₄)) + w₅P₅ + w₆P₆ + w₇P₇</c>.
/// </summary>
public sealed class PeerScoreParams
{
    /// <summary>Topics that contribute P1–P4; other topics count nothing.</summary>
    public IReadOnlyDictionary<string, TopicScoreParams> Topics { get; init; } = new Dictionary<string, TopicScoreParams>(StringComparer.Ordinal);

    /// <summary>Caps the positive sum of topic scores; 0 means no cap.</summary>
    public double TopicScoreCap { get; init; } = 10;

    /// <summary>P5, the application's own opinion of a peer (peer id bytes in, score out).</summary>
    public Func<PeerId, double>? AppSpecificScore { get; init; }

    public double AppSpecificWeight { get; init; } = 1;

    /// <summary>P6 weight (≤ 0): penalises more than <see cref="IPColocationFactorThreshold"/> peers on one IP.</summary>
    public double IPColocationFactorWeight { get; init; } = -10;

    public int IPColocationFactorThreshold { get; init; } = 10;

    /// <summary>Networks exempt from P6 (loopback test networks, known operators).</summary>
    public IReadOnlyList<IPNetwork> IPColocationFactorWhitelist { get; init; } = [];

    /// <summary>P7 weight (≤ 0), applied to the square of the penalty above the threshold.</summary>
    public double BehaviourPenaltyWeight { get; init; } = -10;

    public double BehaviourPenaltyThreshold { get; init; } = 6;

    public double BehaviourPenaltyDecay { get; init; } = 0.9;

    /// <summary>"Parameter Decay": counters decay once per interval.</summary>
    public TimeSpan DecayInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A decayed counter below this becomes 0.</summary>
    public double DecayToZero { get; init; } = 0.01;

    /// <summary>How long a disconnected peer's counters are kept (so reconnecting does not wipe a bad score).</summary>
    public TimeSpan RetainScore { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>NNRP's profile for one topic: P4 heavy, P3 off (a quiet topic must not punish honest mesh peers).</summary>
    public static PeerScoreParams ForTopics(params string[] topics) => new()
    {
        Topics = topics.ToDictionary(t => t, _ => new TopicScoreParams(), StringComparer.Ordinal),
    };

    internal void Validate()
    {
        bool ok = TopicScoreCap >= 0 && IPColocationFactorWeight <= 0 && IPColocationFactorThreshold >= 1
            && BehaviourPenaltyWeight <= 0 && BehaviourPenaltyThreshold >= 0 && IsDecay(BehaviourPenaltyDecay)
            && DecayInterval >= TimeSpan.FromMilliseconds(1) && DecayToZero is > 0 and < 1 && RetainScore >= TimeSpan.Zero;
        if (!ok)
        {
            throw new ArgumentException("invalid peer score parameters (v1.1 \"Score Parameters\": penalty weights ≤ 0, decays in (0,1))");
        }
        foreach (TopicScoreParams topic in Topics.Values)
        {
            topic.Validate();
        }
    }

    internal static bool IsDecay(double decay) => decay is > 0 and < 1;
}

/// <summary>gossipsub-v1.1.md "Topic Parameter Calculation and Decay": P1–P4 for one topic.</summary>
public sealed class TopicScoreParams
{
    public double TopicWeight { get; init; } = 1;

    /// <summary>P1: time in mesh, in quanta, capped.</summary>
    public double TimeInMeshWeight { get; init; } = 0.01;

    public TimeSpan TimeInMeshQuantum { get; init; } = TimeSpan.FromSeconds(1);

    public double TimeInMeshCap { get; init; } = 300;

    /// <summary>P2: first deliveries of valid messages.</summary>
    public double FirstMessageDeliveriesWeight { get; init; } = 1;

    public double FirstMessageDeliveriesDecay { get; init; } = 0.5;

    public double FirstMessageDeliveriesCap { get; init; } = 10;

    /// <summary>P3 (≤ 0): squared deficit of mesh deliveries below the threshold once active. Off by default.</summary>
    public double MeshMessageDeliveriesWeight { get; init; }

    public double MeshMessageDeliveriesDecay { get; init; } = 0.5;

    public double MeshMessageDeliveriesCap { get; init; } = 10;

    public double MeshMessageDeliveriesThreshold { get; init; } = 1;

    /// <summary>A duplicate this soon after the first delivery still counts for P3.</summary>
    public TimeSpan MeshMessageDeliveriesWindow { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>P3 starts counting this long after the graft.</summary>
    public TimeSpan MeshMessageDeliveriesActivation { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>P3b (≤ 0): sticky penalty for leaving the mesh with a deficit. Off by default.</summary>
    public double MeshFailurePenaltyWeight { get; init; }

    public double MeshFailurePenaltyDecay { get; init; } = 0.5;

    /// <summary>P4 (≤ 0): squared count of invalid messages. Three invalid messages graylist a peer with the default thresholds.</summary>
    public double InvalidMessageDeliveriesWeight { get; init; } = -10;

    public double InvalidMessageDeliveriesDecay { get; init; } = 0.99;

    internal void Validate()
    {
        bool ok = TopicWeight >= 0 && TimeInMeshWeight >= 0 && TimeInMeshQuantum > TimeSpan.Zero && TimeInMeshCap >= 0
            && FirstMessageDeliveriesWeight >= 0 && PeerScoreParams.IsDecay(FirstMessageDeliveriesDecay) && FirstMessageDeliveriesCap >= 0
            && MeshMessageDeliveriesWeight <= 0 && PeerScoreParams.IsDecay(MeshMessageDeliveriesDecay) && MeshMessageDeliveriesCap >= 0
            && MeshMessageDeliveriesThreshold >= 0 && MeshFailurePenaltyWeight <= 0 && PeerScoreParams.IsDecay(MeshFailurePenaltyDecay)
            && InvalidMessageDeliveriesWeight <= 0 && PeerScoreParams.IsDecay(InvalidMessageDeliveriesDecay);
        if (!ok)
        {
            throw new ArgumentException("invalid topic score parameters (v1.1 \"Score Parameters\": P1/P2 weights ≥ 0, P3/P3b/P4 weights ≤ 0, decays in (0,1))");
        }
    }
}

/// <summary>gossipsub-v1.1.md "Score Thresholds".</summary>
public sealed class PeerScoreThresholds
{
    /// <summary>Below it (&lt; 0) no gossip goes to or is taken from the peer.</summary>
    public double GossipThreshold { get; init; } = -10;

    /// <summary>Below it (≤ gossip) our own messages are not flood-published to the peer.</summary>
    public double PublishThreshold { get; init; } = -50;

    /// <summary>Below it (&lt; publish) every RPC from the peer is ignored.</summary>
    public double GraylistThreshold { get; init; } = -80;

    /// <summary>PX from a pruning peer is followed only at or above it (≥ 0).</summary>
    public double AcceptPXThreshold { get; init; } = 5;

    /// <summary>Opportunistic grafting runs when the mesh's median score is below it (≥ 0).</summary>
    public double OpportunisticGraftThreshold { get; init; } = 1;

    internal void Validate()
    {
        if (!(GossipThreshold <= 0 && PublishThreshold <= GossipThreshold && GraylistThreshold < PublishThreshold
            && AcceptPXThreshold >= 0 && OpportunisticGraftThreshold >= 0))
        {
            throw new ArgumentException("invalid score thresholds (v1.1: graylist < publish ≤ gossip ≤ 0, accept PX ≥ 0, opportunistic graft ≥ 0)");
        }
    }
}
