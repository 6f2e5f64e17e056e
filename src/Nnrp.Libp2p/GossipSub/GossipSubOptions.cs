using Nnrp.Libp2p.GossipSub.Scoring;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// Router parameters. Defaults are the spec's (gossipsub-v1.0.md "Parameters", v1.1
/// "Overview of New Parameters", v1.2 "Parameters") as go-libp2p-pubsub and rust-libp2p ship them.
/// </summary>
public sealed record GossipSubOptions
{
    /// <summary>v1.0 "Parameters": desired outbound degree of the network.</summary>
    public int D { get; init; } = 6;

    /// <summary>v1.0 "Parameters": lower bound for outbound degree.</summary>
    public int DLow { get; init; } = 4;

    /// <summary>v1.0 "Parameters": upper bound for outbound degree.</summary>
    public int DHigh { get; init; } = 12;

    /// <summary>v1.1 "Mesh Maintenance": peers kept by score when pruning an oversubscribed mesh.</summary>
    public int DScore { get; init; } = 4;

    /// <summary>v1.1 "Outbound Mesh Quotas": outbound connections kept in every mesh (&lt; DLow, ≤ D/2).</summary>
    public int DOut { get; init; } = 2;

    /// <summary>v1.0 "Parameters": (minimum) outbound degree for gossip emission.</summary>
    public int DLazy { get; init; } = 6;

    /// <summary>v1.1 "Adaptive Gossip Dissemination": share of non-mesh peers gossiped to when above DLazy.</summary>
    public double GossipFactor { get; init; } = 0.25;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>v1.0 "Parameters": time-to-live for each topic's fanout state.</summary>
    public TimeSpan FanoutTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>v1.0 "Parameters": number of heartbeat windows kept in the message cache.</summary>
    public int HistoryLength { get; init; } = 5;

    /// <summary>v1.0 "Parameters": number of recent windows whose ids go into IHAVE gossip.</summary>
    public int HistoryGossip { get; init; } = 3;

    /// <summary>pubsub/README.md "Message Identification": how long a seen id suppresses duplicates.</summary>
    public TimeSpan SeenTtl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>v1.1 "Prune Backoff and Peer Exchange": backoff after a PRUNE.</summary>
    public TimeSpan PruneBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>v1.1: shorter backoff we advertise when leaving a topic by unsubscribing.</summary>
    public TimeSpan UnsubscribeBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>v1.1 "Overview of New Parameters": peers exchanged on a PRUNE.</summary>
    public int PrunePeers { get; init; } = 16;

    /// <summary>v1.1: a GRAFT this soon after our PRUNE counts as flooding (extra P7 penalty).</summary>
    public TimeSpan GraftFloodThreshold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>v1.1 "Opportunistic Grafting": heartbeats between attempts.</summary>
    public int OpportunisticGraftTicks { get; init; } = 60;

    /// <summary>v1.1 "Opportunistic Grafting": peers grafted per attempt.</summary>
    public int OpportunisticGraftPeers { get; init; } = 2;

    /// <summary>v1.1 "Spam Protection Measures": IWANT answers per message per peer.</summary>
    public int GossipRetransmission { get; init; } = 3;

    /// <summary>v1.1: message ids we request from one peer per heartbeat (and per IHAVE).</summary>
    public int MaxIHaveLength { get; init; } = 5000;

    /// <summary>v1.1: IHAVE messages accepted from one peer per heartbeat.</summary>
    public int MaxIHaveMessages { get; init; } = 10;

    /// <summary>v1.1 "Spam Protection Measures": time a peer has to answer our IWANT before P7.</summary>
    public TimeSpan IWantFollowupTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>v1.1 "Flood Publishing": our own messages go to every topic peer above the publish threshold.</summary>
    public bool FloodPublish { get; init; } = true;

    /// <summary>v1.2 "Basic scenario": messages at least this big trigger IDONTWANT (go-libp2p-pubsub default).</summary>
    public int IDontWantMessageSizeThreshold { get; init; } = 1000;

    /// <summary>v1.2 <c>max_idontwant_messages</c>: ids accepted from one peer per heartbeat.</summary>
    public int MaxIDontWantMessages { get; init; } = 1000;

    /// <summary>v1.2 "Old entries … SHOULD be pruned during heartbeat": heartbeats an IDONTWANT id is kept.</summary>
    public int IDontWantTtlHeartbeats { get; init; } = 3;

    /// <summary>pubsub/README.md "Message Identification"; default from ‖ seqno.</summary>
    public MessageIdFunction MessageIdFunction { get; init; } = MessageIdFunctions.FromAndSeqno;

    /// <summary>v1.1 "Signature Policy Options". NNRP runs StrictNoSign.</summary>
    public SignaturePolicy SignaturePolicy { get; init; } = SignaturePolicy.StrictSign;

    /// <summary>Issue 4 "validation concurrency is bounded": validators running at once.</summary>
    public int ValidationConcurrency { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Messages waiting for a validator; beyond it new messages are ignored (dropped, no penalty).</summary>
    public int MaxPendingValidations { get; init; } = 4096;

    /// <summary>Wire limits for every RPC we decode.</summary>
    public RpcLimits Limits { get; init; } = new();

    /// <summary>
    /// Our stream to a peer failed while the peer is still connected: the first re-open waits
    /// this long, each further one twice as long (at most <see cref="MaxStreamReopenDelay"/>),
    /// as go-libp2p-pubsub respawns the writer of a peer that is still connected.
    /// </summary>
    public TimeSpan StreamReopenDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait before re-opening our stream to a connected peer.</summary>
    public TimeSpan MaxStreamReopenDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Re-opens in a row (each stream lived less than <see cref="StableStreamAge"/>) before the
    /// peer is dropped from gossip although connected: a peer that resets every stream we open
    /// costs a bounded number of stream opens, then nothing.
    /// </summary>
    public int MaxStreamReopens { get; init; } = 6;

    /// <summary>A stream of ours that lived this long resets the re-open count.</summary>
    public TimeSpan StableStreamAge { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>v1.1 "Peer Scoring"; null turns scoring off (every score is 0).</summary>
    public PeerScoreParams? Scoring { get; init; }

    public PeerScoreThresholds Thresholds { get; init; } = new();

    internal void Validate()
    {
        // v1.1 "Outbound Mesh Quotas": D_out < D_lo and D_out ≤ D/2; v1.0: D_lo ≤ D ≤ D_hi.
        if (!(DLow <= D && D <= DHigh && DOut < DLow && DOut <= D / 2 && DScore <= DHigh && HistoryGossip <= HistoryLength && D > 0 && ValidationConcurrency > 0 && MaxPendingValidations > 0))
        {
            throw new ArgumentException("GossipSub degrees must satisfy D_lo ≤ D ≤ D_hi, D_out < D_lo, D_out ≤ D/2, D_score ≤ D_hi and history_gossip ≤ history_length");
        }
        if (StreamReopenDelay <= TimeSpan.Zero || MaxStreamReopenDelay < StreamReopenDelay || MaxStreamReopens < 0 || StableStreamAge <= TimeSpan.Zero)
        {
            throw new ArgumentException("GossipSub stream re-open delays must be positive (first ≤ longest) and the re-open count not negative");
        }
        Scoring?.Validate();
        Thresholds.Validate();
    }
}

/// <summary>v1.1 "Signature Policy Options".</summary>
public enum SignaturePolicy
{
    /// <summary>Messages carry from, seqno and a signature; unsigned or badly signed ones are rejected.</summary>
    StrictSign,

    /// <summary>Messages carry none of from, seqno, signature, key; any that do are rejected.</summary>
    StrictNoSign,
}

/// <summary>Wire limits (pubsub/README.md leaves them to implementations; values as go-libp2p-pubsub).</summary>
public sealed class RpcLimits
{
    /// <summary>go-libp2p-pubsub <c>DefaultMaxMessageSize</c>: 1 MiB per length-prefixed RPC.</summary>
    public int MaxRpcSize { get; init; } = 1 << 20;

    public int MaxMessagesPerRpc { get; init; } = 1024;

    public int MaxSubscriptionsPerRpc { get; init; } = 1024;

    /// <summary>Topics one peer may be subscribed to; further subscriptions are ignored.</summary>
    public int MaxTopicsPerPeer { get; init; } = 1024;

    /// <summary>IHAVE, IWANT, GRAFT, PRUNE and IDONTWANT entries (and ids within them) per RPC.</summary>
    public int MaxControlIdsPerRpc { get; init; } = 20_000;

    public int MaxTopicLength { get; init; } = 256;

    public int MaxMessageIdLength { get; init; } = 256;

    /// <summary>PX entries accepted per PRUNE (v1.1 recommends exchanging 16).</summary>
    public int MaxPeersPerPrune { get; init; } = 64;
}
